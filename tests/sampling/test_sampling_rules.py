"""Rules parse from the dicts a scheme file holds; bad ones name the field and the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaohe.errors import InputError, SchemeError
from kaohe.sampling import (
    PerGroupFixed,
    ProportionStratified,
    SichuanExitCounties,
    parse_rule,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"rule": "sichuan_exit_counties"},
            {"rule": "sichuan_exit_counties", "random_when_none": 2, "group_attribute": "city", "exit_attribute": "planned_exit"},
        ),
        (
            {"rule": "sichuan_exit_counties", "random_when_none": 1},
            {"rule": "sichuan_exit_counties", "random_when_none": 1, "group_attribute": "city", "exit_attribute": "planned_exit"},
        ),
        (
            {"rule": "per_group_fixed", "quotas": {"village": 8, "township": 4}},
            {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}, "kind_attribute": "kind",
             "group_attribute": None, "within_drawn": {}},
        ),
        (
            {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}, "within_drawn": {"village": "township"},
             "group_attribute": "county"},
            {"rule": "per_group_fixed", "quotas": {"township": 4, "village": 8}, "kind_attribute": "kind",
             "group_attribute": "county", "within_drawn": {"village": "township"}},
        ),
        (
            {"rule": "proportion_stratified", "proportion": 0.2},
            {"rule": "proportion_stratified", "proportion": "0.2", "stratify_by": [], "rounding": "ceil", "minimum_per_stratum": 1},
        ),
        (
            {"rule": "proportion_stratified", "proportion": "0.25", "stratify_by": ["township", "kind"], "rounding": "half_up",
             "minimum_per_stratum": 0},
            {"rule": "proportion_stratified", "proportion": "0.25", "stratify_by": ["township", "kind"], "rounding": "half_up",
             "minimum_per_stratum": 0},
        ),
    ],
)
def test_rule_dict_parses_and_prints_every_parameter(data: dict, expected: dict) -> None:
    rule = parse_rule(data)
    assert rule.to_dict() == expected
    assert parse_rule(rule.to_dict()) == rule


@pytest.mark.parametrize("value", [0.2, "0.2", "0.20", " 0.2 ", Decimal("0.2"), "2E-1"])
def test_proportion_is_kept_as_an_exact_decimal(value: object) -> None:
    assert parse_rule({"rule": "proportion_stratified", "proportion": value}).to_dict()["proportion"] == "0.2"


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"random_when_none": 2}, "rule", "缺少规则名"),
        ({"rule": "lottery"}, "rule", "未知的抽样规则"),
        ({"rule": "sichuan_exit_counties", "random_when_non": 2}, "random_when_non", "没有这个参数"),
        ({"rule": "sichuan_exit_counties", "random_when_none": 3}, "random_when_none", "1 或 2"),
        ({"rule": "sichuan_exit_counties", "random_when_none": 0}, "random_when_none", "1 或 2"),
        ({"rule": "sichuan_exit_counties", "random_when_none": True}, "random_when_none", "1 或 2"),
        ({"rule": "sichuan_exit_counties", "random_when_none": "2"}, "random_when_none", "1 或 2"),
        ({"rule": "sichuan_exit_counties", "group_attribute": ""}, "group_attribute", "非空字符串"),
        ({"rule": "sichuan_exit_counties", "exit_attribute": "city"}, "exit_attribute", "不能与"),
        ({"rule": "per_group_fixed"}, "quotas", "缺少必填参数"),
        ({"rule": "per_group_fixed", "quotas": {}}, "quotas", "非空映射"),
        ({"rule": "per_group_fixed", "quotas": [4, 8]}, "quotas", "非空映射"),
        ({"rule": "per_group_fixed", "quotas": {"township": 0}}, "quotas.township", "不小于 1"),
        ({"rule": "per_group_fixed", "quotas": {"township": 2.5}}, "quotas.township", "不小于 1"),
        ({"rule": "per_group_fixed", "quotas": {"township": 4}, "within_drawn": {"village": "township"}},
         "within_drawn.village", "不在 quotas 中"),
        ({"rule": "per_group_fixed", "quotas": {"village": 8}, "within_drawn": {"village": "township"}},
         "within_drawn.village", "不在 quotas 中"),
        ({"rule": "per_group_fixed", "quotas": {"a": 1, "b": 1, "c": 1}, "within_drawn": {"c": "b", "b": "a"}},
         "within_drawn.c", "多级限定"),
        ({"rule": "per_group_fixed", "quotas": {"a": 1}, "within_drawn": {"a": "a"}}, "within_drawn.a", "自身"),
        ({"rule": "per_group_fixed", "quotas": {"a": 1}, "group_attribute": "kind"}, "group_attribute", "不能与"),
        ({"rule": "proportion_stratified"}, "proportion", "缺少必填参数"),
        ({"rule": "proportion_stratified", "proportion": 0}, "proportion", "大于 0"),
        ({"rule": "proportion_stratified", "proportion": 1.5}, "proportion", "不大于 1"),
        ({"rule": "proportion_stratified", "proportion": "二成"}, "proportion", "小数"),
        ({"rule": "proportion_stratified", "proportion": "nan"}, "proportion", "小数"),
        ({"rule": "proportion_stratified", "proportion": True}, "proportion", "小数"),
        ({"rule": "proportion_stratified", "proportion": 0.2, "stratify_by": "township"}, "stratify_by", "列表"),
        ({"rule": "proportion_stratified", "proportion": 0.2, "stratify_by": ["kind", "kind"]}, "stratify_by", "重复"),
        ({"rule": "proportion_stratified", "proportion": 0.2, "rounding": "round"}, "rounding", "ceil"),
        ({"rule": "proportion_stratified", "proportion": 0.2, "minimum_per_stratum": -1}, "minimum_per_stratum", "不小于 0"),
    ],
)
def test_bad_rule_names_field_and_reason(data: dict, field: str, words: str) -> None:
    with pytest.raises(SchemeError) as caught:
        parse_rule(data, file="schemes/x.yaml")
    assert isinstance(caught.value, InputError)
    problem = caught.value.problems[0]
    assert (problem.field, problem.file) == (field, "schemes/x.yaml")
    assert words in problem.reason
    assert "schemes/x.yaml" in str(caught.value)


def test_every_problem_of_a_rule_is_reported_at_once() -> None:
    with pytest.raises(SchemeError) as caught:
        parse_rule({"rule": "proportion_stratified", "proportion": 2, "rounding": "up", "minimum_per_stratum": -3})
    assert [p.field for p in caught.value.problems] == ["proportion", "rounding", "minimum_per_stratum"]
    assert "另有 2 处错误" in str(caught.value)


def test_rule_that_is_not_a_mapping_is_refused() -> None:
    with pytest.raises(SchemeError, match="映射"):
        parse_rule(["sichuan_exit_counties"])  # type: ignore[arg-type]


def test_rule_objects_are_accepted_as_they_are() -> None:
    rule = SichuanExitCounties(random_when_none=1)
    assert parse_rule(rule) is rule
    with pytest.raises(SchemeError):
        PerGroupFixed(quotas={"township": -1})


@pytest.mark.parametrize(
    ("proportion", "rounding", "minimum", "size", "expected"),
    [
        ("0.2", "ceil", 1, 10, 2),  # exact arithmetic: 0.2 × 10 is 2, not 2.0000000000000004 → 3
        ("0.1", "ceil", 1, 30, 3),
        ("0.3", "ceil", 1, 10, 3),
        ("0.2", "ceil", 1, 11, 3),
        ("0.2", "floor", 1, 11, 2),
        ("0.2", "floor", 1, 3, 1),  # 0.6 floors to 0, the minimum lifts it to 1
        ("0.2", "floor", 0, 3, 0),
        ("0.25", "half_up", 1, 10, 3),  # 2.5 → 3
        ("0.25", "half_up", 1, 6, 2),  # 1.5 → 2
        ("0.25", "half_up", 1, 5, 1),  # 1.25 → 1
        ("1", "ceil", 1, 5, 5),
        ("0.2", "ceil", 5, 3, 3),  # never more than the stratum holds
        ("0.2", "ceil", 1, 1, 1),
    ],
)
def test_proportion_target_rounding(proportion: str, rounding: str, minimum: int, size: int, expected: int) -> None:
    rule = ProportionStratified(proportion=proportion, rounding=rounding, minimum_per_stratum=minimum)  # type: ignore[arg-type]
    assert rule.target(size) == expected
