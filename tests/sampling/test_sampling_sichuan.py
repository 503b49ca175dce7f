"""四川第七条(二)：every county planned to exit is inspected; a city with none gets N counties at random."""

from __future__ import annotations

import pytest

from kaohe.errors import InputError
from kaohe.sampling import Candidate, Exclusion, draw

SEED = "sichuan-2019"
RULE = {"rule": "sichuan_exit_counties", "random_when_none": 2}


def county(code: str, name: str, city: str, planned_exit: object) -> Candidate:
    return Candidate(code, name, None, {"city": city, "planned_exit": planned_exit, "region": "秦巴山区"})  # type: ignore[dict-item]


COUNTIES = [
    county("510722", "三台县", "绵阳市", "true"),
    county("510723", "盐亭县", "绵阳市", "是"),
    county("510725", "梓潼县", "绵阳市", "false"),
    county("510821", "旺苍县", "广元市", "false"),
    county("510822", "青川县", "广元市", "否"),
    county("510823", "剑阁县", "广元市", False),
    county("510824", "苍溪县", "广元市", "FALSE"),
    county("513231", "阿坝县", "阿坝州", "false"),
]


def by_city(record) -> dict[str, tuple[str, ...]]:
    return {stratum.stratum[0]: stratum.selected for stratum in record.strata}


def test_exiting_counties_all_inspected_and_city_without_exit_draws_two(reference_order) -> None:
    record = draw(RULE, COUNTIES, SEED)
    selected = by_city(record)
    assert selected["绵阳市"] == ("510722", "510723")
    guangyuan = reference_order(["510821", "510822", "510823", "510824"], SEED, ["广元市"])
    assert selected["广元市"] == tuple(guangyuan[:2])
    assert {s.stratum[0]: s.method for s in record.strata} == {"绵阳市": "all", "广元市": "random", "阿坝州": "random"}
    assert [s.stratum for s in record.strata] == sorted(s.stratum for s in record.strata)


def test_city_with_fewer_counties_than_n_gives_all_and_records_shortfall() -> None:
    record = draw(RULE, COUNTIES, SEED)
    assert by_city(record)["阿坝州"] == ("513231",)
    [shortfall] = record.shortfalls
    assert (shortfall.stratum, shortfall.wanted, shortfall.got) == (("阿坝州",), 2, 1)
    assert "应抽取 2 个，可抽单位只有 1 个" in shortfall.reason


def test_one_county_per_city_when_setting_is_one(reference_order) -> None:
    record = draw({"rule": "sichuan_exit_counties", "random_when_none": 1}, COUNTIES, SEED)
    guangyuan = reference_order(["510821", "510822", "510823", "510824"], SEED, ["广元市"])
    assert by_city(record)["广元市"] == (guangyuan[0],)
    assert by_city(record)["绵阳市"] == ("510722", "510723")
    assert record.shortfalls == ()


def test_excluded_exiting_county_is_a_recorded_coverage_shortfall() -> None:
    record = draw(RULE, COUNTIES, SEED, [Exclusion("510723", "评估组成员曾在该县任职（利益冲突）")])
    assert by_city(record)["绵阳市"] == ("510722",)
    mianyang = next(s for s in record.shortfalls if s.stratum == ("绵阳市",))
    assert (mianyang.wanted, mianyang.got) == (2, 1)
    assert "全覆盖" in mianyang.reason and "510723" in mianyang.reason
    assert [e.to_dict() for e in record.exclusions] == [{"code": "510723", "reason": "评估组成员曾在该县任职（利益冲突）"}]


def test_excluding_a_county_of_a_city_without_exit_draws_the_next_in_rank(reference_order) -> None:
    order = reference_order(["510821", "510822", "510823", "510824"], SEED, ["广元市"])
    record = draw(RULE, COUNTIES, SEED, [Exclusion(order[0], "本年度已接受国家抽查")])
    assert by_city(record)["广元市"] == (order[1], order[2])


def test_planned_exit_values_are_recorded_normalised() -> None:
    record = draw(RULE, COUNTIES, SEED)
    values = {entry.code: entry.attributes["planned_exit"] for entry in record.population}
    assert values == {"510722": "true", "510723": "true", "510725": "false", "510821": "false", "510822": "false",
                      "510823": "false", "510824": "false", "513231": "false"}
    assert all(set(entry.attributes) == {"city", "planned_exit"} for entry in record.population)


def test_every_bad_county_is_reported_at_once() -> None:
    bad = [
        county("1", "甲县", "绵阳市", "maybe"),
        Candidate("2", "乙县", None, {"planned_exit": "true"}),
        Candidate("3", "丙县", None, {"city": "广元市"}),
        county("1", "甲县（重复）", "绵阳市", "true"),
    ]
    with pytest.raises(InputError) as caught:
        draw(RULE, bad, SEED)
    assert [(p.field, p.reason) for p in caught.value.problems] == [
        ("planned_exit", "单位 1（甲县） 的 planned_exit 应为 true/false（是/否），实为 'maybe'"),
        ("city", "单位 2（乙县） 缺少属性 city"),
        ("planned_exit", "单位 3（丙县） 缺少属性 planned_exit"),
        ("code", "单位 1（甲县（重复）） 的代码重复"),
    ]
