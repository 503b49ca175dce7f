"""The ``scoring:`` sections as data: the built-in ones load, malformed ones are refused with the field named."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import NotFoundError, SchemeError
from kaohe.schemes import load_scheme, load_scheme_file, load_spec
from kaohe.scoring import spec_from_mapping
from kaohe.scoring.numbers import count_of, exact_text, round_fraction

SCHEMES = Path(__file__).resolve().parents[2] / "schemes"


def scoring_of(scheme: str) -> dict[str, Any]:
    """The raw ``scoring:`` mapping of a built-in scheme file."""
    return yaml.safe_load((SCHEMES / f"{scheme}.yaml").read_text(encoding="utf-8"))["scoring"]


@pytest.mark.parametrize("scheme", ["mile", "sichuan", "inner-mongolia-teams", "qujiang", "ordos"])
def test_scheme_files_still_load_as_schemes(scheme: str) -> None:
    assert load_scheme(scheme, SCHEMES).id == scheme


@pytest.mark.parametrize(
    ("scheme", "has_formula"),
    [("mile", True), ("sichuan", True), ("inner-mongolia-teams", True), ("qujiang", False), ("ordos", False)],
)
def test_which_schemes_have_a_formula(scheme: str, has_formula: bool) -> None:
    assert (load_spec(scheme, SCHEMES) is not None) is has_formula


def test_schemes_without_formula_say_why() -> None:
    for scheme in ("qujiang", "ordos"):
        text = (SCHEMES / f"{scheme}.yaml").read_text(encoding="utf-8")
        comment = text.splitlines()[-2]
        assert comment.startswith("# 计分：") and "未给计分公式" in comment


def test_every_open_point_is_stated() -> None:
    ids = {
        scheme: {a.id for a in load_spec(scheme, SCHEMES).assumptions}  # type: ignore[union-attr]
        for scheme in ("mile", "sichuan", "inner-mongolia-teams")
    }
    assert {"mile.gap_policy", "mile.over_quota", "mile.ties"} <= ids["mile"]
    assert {"sichuan.poverty_split", "sichuan.group_size", "sichuan.refill", "sichuan.ties"} <= ids["sichuan"]
    assert {"inner_mongolia.grade_thresholds", "inner_mongolia.excellence_cap"} <= ids["inner-mongolia-teams"]


def test_missing_scheme_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_spec("nowhere", tmp_path)


def test_a_bad_scoring_section_fails_the_scheme_file_itself(tmp_path: Path) -> None:
    text = (SCHEMES / "mile.yaml").read_text(encoding="utf-8")
    assert "precision: 2" in text
    (tmp_path / "county.yaml").write_text(text.replace("precision: 2", "precision: two", 1), encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(tmp_path / "county.yaml")
    assert caught.value.problems[0].field == "scoring.precision"
    assert caught.value.problems[0].file == str(tmp_path / "county.yaml")


def broken(path: list[Any], value: Any) -> dict[str, Any]:
    """Mile's scoring with one value replaced (``...`` deletes the key)."""
    data = copy.deepcopy(scoring_of("mile"))
    node = data
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "reason"),
    [
        (["formulas", 0, "components", 0, "weight"], 90, "scoring.formulas[0](main)", "权重合计为 90%，应为 100%"),
        (["formulas", 0, "components", 0, "weight"], "abc", "scoring.formulas[0](main).components[0](base).weight", "不是数值"),
        (["formulas", 0, "bonus_cap"], 20.5, None, None),
        (["groups", "kinds", 0, "formula"], "other", "scoring", "引用了不存在的公式 'other'"),
        (["grade_quotas", 0, "over_quota_grade"], "很好", "scoring", "未定义的等次 '很好'"),
        (["grades", "bands", 1, "max"], 90, "scoring.grades", "与上一等次重叠"),
        (["grades", "gap_policy"], "guess", "scoring.grades.gap_policy", "Input should be"),
        (["ranking", "tie_break"], ["unit", "total"], "scoring.ranking", "须以 total 开头"),
        (["selections", 0, "count"], {"fraction": "1/0"}, "scoring.selections[0](advanced_collective).count.fraction", "不是分数"),
        (["selections", 0, "colour"], "red", "scoring.selections[0](advanced_collective).colour", "未知字段"),
        (["formulas", 0, "components", 0, "name"], ..., "scoring.formulas[0](main).components[0](base).name", "缺少必填字段"),
    ],
)
def test_malformed_scoring_is_refused(path: list[Any], value: Any, field: str | None, reason: str | None) -> None:
    data = broken(path, value)
    if field is None:
        assert spec_from_mapping(data, "mile") is not None
        return
    with pytest.raises(SchemeError) as caught:
        spec_from_mapping(data, "mile", file="schemes/mile.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == ("schemes/mile.yaml", field)
    assert reason in problem.reason


def test_yaml_floats_are_read_exactly() -> None:
    # 16.25 read by YAML as a float is taken by its shortest text, not its binary value
    spec = load_spec("sichuan", SCHEMES)
    assert spec is not None
    assert spec.formulas[0].components[0].weight == Decimal("16.25")
    assert spec.selection("advanced").per_kind["city"].fraction == Fraction(1, 3)  # type: ignore[index]


@given(st.decimals(min_value=-1000, max_value=1000, places=6, allow_nan=False, allow_infinity=False))
def test_round_fraction_matches_decimal_quantize(value: Decimal) -> None:
    step = Decimal("0.01")
    assert round_fraction(Fraction(value), 2) == value.quantize(step, rounding=ROUND_HALF_UP)
    assert round_fraction(Fraction(value), 2, "ROUND_HALF_EVEN") == value.quantize(step, rounding=ROUND_HALF_EVEN)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(Fraction(1, 3), 2, "0.33"), (Fraction(2, 3), 2, "0.67"), (Fraction(-5, 1000), 2, "-0.01"), (Fraction(1, 200), 2, "0.01")],
)
def test_round_fraction_cases(value: Fraction, places: int, expected: str) -> None:
    assert round_fraction(value, places) == Decimal(expected)


@pytest.mark.parametrize(
    ("size", "fraction", "rounding", "places"),
    [(21, Fraction(1, 3), "floor", 7), (7, Fraction(3, 10), "floor", 2), (7, Fraction(3, 10), "ceil", 3),
     (13, Fraction(1, 5), "half_up", 3), (10, Fraction(1, 10), "ceil", 1), (9, Fraction(1, 10), "floor", 0)],
)
def test_count_of(size: int, fraction: Fraction, rounding: str, places: int) -> None:
    assert count_of(size, fraction, rounding) == places  # type: ignore[arg-type]


def test_exact_text() -> None:
    assert exact_text(Fraction("48.75")) == "48.75"
    assert exact_text(Fraction(65, 3)) == "≈21.666667"
