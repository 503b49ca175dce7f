"""弥勒/曲江：a proportion of each stratum (按一定比例抽查), rounded by the stated rule."""

from __future__ import annotations

import pytest

from kaohe.errors import InputError
from kaohe.sampling import Candidate, Exclusion, draw

SEED = "qujiang-2018"
RULE = {"rule": "proportion_stratified", "proportion": "0.2", "stratify_by": ["township", "kind"]}


def unit(code: str, township: str, kind: str) -> Candidate:
    return Candidate(code, code, None, {"township": township, "kind": kind})


# 马坝镇: 10 villages, 11 households; 大塘镇: 3 villages; 樟市镇: 1 household.
UNITS = (
    [unit(f"MB-V{i:02}", "马坝镇", "village") for i in range(10)]
    + [unit(f"MB-H{i:02}", "马坝镇", "household") for i in range(11)]
    + [unit(f"DT-V{i}", "大塘镇", "village") for i in range(3)]
    + [unit("ZS-H0", "樟市镇", "household")]
)


def wanted(record) -> dict[tuple[str, ...], int]:
    return {s.stratum: s.wanted for s in record.strata}


def test_ceil_per_stratum_with_at_least_one(reference_order) -> None:
    record = draw(RULE, UNITS, SEED)
    assert wanted(record) == {("大塘镇", "village"): 1, ("樟市镇", "household"): 1,
                              ("马坝镇", "household"): 3, ("马坝镇", "village"): 2}
    villages = [u.code for u in UNITS if u.code.startswith("MB-V")]
    chosen = {s.stratum: s.selected for s in record.strata}
    assert chosen[("马坝镇", "village")] == tuple(reference_order(villages, SEED, ["马坝镇", "village"])[:2])
    assert record.shortfalls == ()


@pytest.mark.parametrize(
    ("rounding", "minimum", "expected"),
    [
        ("floor", 1, {("大塘镇", "village"): 1, ("樟市镇", "household"): 1, ("马坝镇", "household"): 2, ("马坝镇", "village"): 2}),
        ("floor", 0, {("大塘镇", "village"): 0, ("樟市镇", "household"): 0, ("马坝镇", "household"): 2, ("马坝镇", "village"): 2}),
        ("half_up", 0, {("大塘镇", "village"): 1, ("樟市镇", "household"): 0, ("马坝镇", "household"): 2, ("马坝镇", "village"): 2}),
    ],
)
def test_rounding_settings(rounding: str, minimum: int, expected: dict) -> None:
    record = draw({**RULE, "rounding": rounding, "minimum_per_stratum": minimum}, UNITS, SEED)
    assert wanted(record) == expected
    assert all(len(s.selected) == s.wanted for s in record.strata)


def test_target_counts_the_population_before_exclusions() -> None:
    excluded = [Exclusion(f"DT-V{i}", "本年度已抽查") for i in range(3)] + [Exclusion("MB-V00", "抽查组成员挂包该村")]
    record = draw(RULE, UNITS, SEED, excluded)
    assert wanted(record)[("马坝镇", "village")] == 2
    assert "MB-V00" not in record.selected()
    datang = next(s for s in record.strata if s.stratum == ("大塘镇", "village"))
    assert (datang.population, datang.available, datang.selected) == (3, 0, ())
    [shortfall] = record.shortfalls
    assert shortfall.reason == "「大塘镇 / village」应抽取 1 个，可抽单位只有 0 个（共 3 个，排除 3 个（DT-V0、DT-V1、DT-V2）），已全部抽取"


def test_no_stratification_is_one_stratum() -> None:
    record = draw({"rule": "proportion_stratified", "proportion": 0.2}, UNITS, SEED)
    [stratum] = record.strata
    assert (stratum.stratum, stratum.population, stratum.wanted) == ((), 25, 5)
    assert all(entry.attributes == {} for entry in record.population)


def test_unit_missing_a_stratifying_attribute_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        draw(RULE, [*UNITS, Candidate("X", "无镇村", None, {"kind": "village", "township": ""})], SEED)
    assert [(p.field, p.reason) for p in caught.value.problems] == [("township", "单位 X（无镇村） 缺少属性 township")]
