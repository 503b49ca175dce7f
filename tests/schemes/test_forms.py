"""内蒙古 附件1 (eleven indicators → 指标考核) and 附件3 (democratic evaluation form → 总结测评) as forms."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import SchemeError, ScoreSheetError
from kaohe.schemes import load_scheme_file
from kaohe.schemes.forms import BallotForm, IndicatorForm, ballot_score, half_up, indicator_score
from kaohe.settings import PROJECT_ROOT

SCHEMES = PROJECT_ROOT / "schemes"
IM = load_scheme_file(SCHEMES / "inner-mongolia-teams.yaml")
BALLOT = IM.forms["summary_evaluation"]
TABLE = IM.forms["indicators"]
assert isinstance(BALLOT, BallotForm) and isinstance(TABLE, IndicatorForm)


def test_annex_1_has_the_eleven_indicators_with_their_points() -> None:
    # 附件1：10、10、10、15、15、10、5、5、10、5、5，共100分
    assert [int(i.max) for i in TABLE.items] == [10, 10, 10, 15, 15, 10, 5, 5, 10, 5, 5]
    assert TABLE.items[0].name == "贫困人口减贫计划完成率" and TABLE.items[-1].area == "宣传工作·加强宣传引导工作"


def test_annex_3_has_five_items_and_four_levels_with_a_documented_conversion() -> None:
    assert BALLOT.items == ("目标任务完成", "基层组织建设", "为民服务事宜", "脱贫攻坚成效", "总体评价")
    assert list(BALLOT.levels) == ["好", "较好", "一般", "差"]
    assert "未规定" in BALLOT.note and any("forms.summary_evaluation" in p for p in IM.open_points)


def test_indicator_points_add_up_to_the_component_score() -> None:
    full = {i.id: i.max for i in TABLE.items}
    assert indicator_score(TABLE, full) == 100
    assert indicator_score(TABLE, {**full, "precision": "12.5", "publicity": 0}) == Fraction("92.5")  # 100 − 2.5 − 5


def test_bad_indicator_points_name_the_indicator() -> None:
    full = {i.id: i.max for i in TABLE.items}
    with pytest.raises(ScoreSheetError) as caught:
        indicator_score(TABLE, {**full, "precision": 16, "funds": "十"} | {"extra": 1})
    reasons = [str(p) for p in caught.value.problems]
    assert any("精准度" in r and "0–15" in r for r in reasons)
    assert any("扶贫资金整合" in r and "不是数字" in r for r in reasons)
    assert any("extra" in r for r in reasons)
    with pytest.raises(ScoreSheetError, match="缺少"):
        indicator_score(TABLE, {k: v for k, v in full.items() if k != "funds"})


def ballot(*levels: str) -> dict[str, str]:
    return dict(zip(BALLOT.items, levels, strict=True))


def test_ballots_convert_to_the_summary_evaluation_score() -> None:
    result = ballot_score(BALLOT, [ballot("好", "好", "好", "好", "好"), ballot("较好", "一般", "差", "好", "较好"),
                                   {**ballot("好", "好", "好", "好", "好"), "总体评价": ""}])
    # (100 + (80+60+40+100+80)/5) / 2 = (100 + 72) / 2 = 86
    assert (result.score, result.valid) == (Decimal("86.00"), 2)
    assert result.invalid == ("第3张：未填 总体评价",)
    assert result.item_means["目标任务完成"] == 90


def test_no_valid_ballot_is_an_error() -> None:
    with pytest.raises(ScoreSheetError, match="没有有效测评票"):
        ballot_score(BALLOT, [ballot("好", "好", "好", "好", "优")])


LEVEL = st.sampled_from(list(BALLOT.levels))


@given(st.lists(st.tuples(LEVEL, LEVEL, LEVEL, LEVEL, LEVEL), min_size=1, max_size=60))
def test_the_score_is_the_exact_mean_rounded_half_up_and_within_the_levels(ballots: list[tuple[str, ...]]) -> None:
    result = ballot_score(BALLOT, [ballot(*b) for b in ballots])
    values = {k: Fraction(v) for k, v in BALLOT.levels.items()}
    exact = sum((sum(values[x] for x in b) / 5 for b in ballots), Fraction(0)) / len(ballots)
    assert result.exact == exact and result.valid == len(ballots)
    assert abs(Fraction(result.score) - exact) <= Fraction(1, 200)
    assert min(values.values()) <= result.score <= max(values.values())


@given(st.fractions(min_value=0, max_value=1000), st.integers(min_value=0, max_value=4))
def test_half_up_rounds_to_the_nearest_and_halves_up(value: Fraction, places: int) -> None:
    rounded = Fraction(half_up(value, places))
    step = Fraction(1, 10**places)
    assert abs(rounded - value) <= step / 2
    if abs(rounded - value) == step / 2:
        assert rounded > value


def test_a_form_for_a_component_no_formula_has_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load((SCHEMES / "inner-mongolia-teams.yaml").read_text(encoding="utf-8"))
    raw["forms"]["opinion"] = raw["forms"].pop("summary_evaluation")
    path = tmp_path / "im.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SchemeError, match="opinion"):
        load_scheme_file(path)


def test_indicator_maxima_must_add_up(tmp_path: Path) -> None:
    raw = yaml.safe_load((SCHEMES / "inner-mongolia-teams.yaml").read_text(encoding="utf-8"))
    raw["forms"]["indicators"]["items"][0]["max"] = 12
    path = tmp_path / "im.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(path)
    assert caught.value.problems[0].field == "forms.indicators.indicators" or "102" in caught.value.problems[0].reason
