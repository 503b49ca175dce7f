"""内蒙古四(三)4：per county, 4 townships (苏木乡镇) and 8 villages (嘎查村) at random."""

from __future__ import annotations

import pytest

from kaohe.errors import InputError
from kaohe.sampling import Candidate, draw

SEED = "nmg-2018"
RULE = {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}}


def township(county: str, n: int) -> Candidate:
    return Candidate(f"{county}-T{n}", f"{county}第{n}苏木", county, {"kind": "township", "county": county})


def village(county: str, town: int, n: int) -> Candidate:
    code = f"{county}-T{town}-V{n}"
    return Candidate(code, f"{code}嘎查", county, {"kind": "village", "county": county, "township": f"{county}-T{town}"})


# 科右中旗: 6 townships with 2 villages each; 阿尔山: 3 townships and 5 villages; 鄂伦春: villages only.
UNITS = (
    [township("KYZ", t) for t in range(1, 7)]
    + [village("KYZ", t, v) for t in range(1, 7) for v in (1, 2)]
    + [township("AES", t) for t in range(1, 4)]
    + [village("AES", 1, v) for v in range(1, 6)]
    + [village("ELC", 1, v) for v in range(1, 4)]
)


def selections(record) -> dict[tuple[str, ...], tuple[str, ...]]:
    return {s.stratum: s.selected for s in record.strata}


def test_four_townships_and_eight_villages_per_county(reference_order) -> None:
    record = draw(RULE, UNITS, SEED)
    chosen = selections(record)
    towns = [u.code for u in UNITS if u.group == "KYZ" and u.attributes["kind"] == "township"]
    villages = [u.code for u in UNITS if u.group == "KYZ" and u.attributes["kind"] == "village"]
    assert chosen[("KYZ", "township")] == tuple(reference_order(towns, SEED, ["KYZ", "township"])[:4])
    assert chosen[("KYZ", "village")] == tuple(reference_order(villages, SEED, ["KYZ", "village"])[:8])


def test_county_with_fewer_than_four_townships_gives_all_and_records_shortfall() -> None:
    record = draw(RULE, UNITS, SEED)
    chosen = selections(record)
    assert sorted(chosen[("AES", "township")]) == ["AES-T1", "AES-T2", "AES-T3"]
    assert len(chosen[("AES", "village")]) == 5
    assert chosen[("ELC", "township")] == ()
    assert [(s.stratum, s.wanted, s.got) for s in record.shortfalls] == [
        (("AES", "township"), 4, 3),
        (("AES", "village"), 8, 5),
        (("ELC", "township"), 4, 0),
        (("ELC", "village"), 8, 3),
    ]
    assert record.shortfalls[0].reason == "「AES / township」应抽取 4 个，可抽单位只有 3 个（共 3 个），已全部抽取"


def test_villages_can_be_constrained_to_the_drawn_townships(reference_order) -> None:
    rule = {**RULE, "within_drawn": {"village": "township"}}
    record = draw(rule, UNITS, SEED)
    chosen = selections(record)
    drawn_towns = set(chosen[("KYZ", "township")])
    villages = selections(record)[("KYZ", "village")]
    assert all(v.rsplit("-", 1)[0] in drawn_towns for v in villages)
    eligible = [u.code for u in UNITS if u.group == "KYZ" and u.attributes.get("township") in drawn_towns]
    assert villages == tuple(reference_order(eligible, SEED, ["KYZ", "village"]))  # 4 towns × 2 villages = all 8
    stratum = next(s for s in record.strata if s.stratum == ("KYZ", "village"))
    assert (stratum.method, stratum.population, stratum.available, len(stratum.ineligible)) == ("random_within_drawn", 12, 8, 4)


def test_group_can_come_from_an_attribute() -> None:
    plain = [Candidate(u.code, u.name, None, u.attributes) for u in UNITS]
    by_attribute = draw({**RULE, "group_attribute": "county"}, plain, SEED)
    by_group = draw(RULE, UNITS, SEED)
    assert selections(by_attribute) == selections(by_group)


def test_unit_of_unknown_kind_or_without_county_is_refused() -> None:
    units = [Candidate("X", "某旗", "KYZ", {"kind": "county"}), Candidate("Y", "某苏木", None, {"kind": "township"})]
    with pytest.raises(InputError) as caught:
        draw(RULE, units, SEED)
    assert [p.field for p in caught.value.problems] == ["kind", "group"]
    assert "不在抽样配额中" in caught.value.problems[0].reason


def test_constrained_village_without_township_is_refused() -> None:
    units = [township("KYZ", 1), Candidate("V", "某嘎查", "KYZ", {"kind": "village"})]
    with pytest.raises(InputError, match="缺少属性 township"):
        draw({**RULE, "within_drawn": {"village": "township"}}, units, SEED)
