"""内蒙古工作总队: team and member formulas, annex-2 letter codes, ±items, 30% excellence cap per sequence."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.errors import ScoreSheetError
from kaohe.scoring import ScoringSpec, UnitInput, score
from kaohe.scoring.grading import grade_of

TEAM = ("indicators", "daily_supervision", "third_party", "summary_evaluation", "ledger_review", "group_evaluation")
MEMBER = ("supervision_group", "daily_supervision", "summary_evaluation", "field_visit", "opinion_survey", "group_evaluation")


def team(code: str, *scores: object, items: dict[str, object] | None = None) -> UnitInput:
    """A work team; ``scores`` in the formula's order."""
    return UnitInput(unit=code, name=f"{code}旗总队", group="工作总队", values=dict(zip(TEAM, scores, strict=True)), items=items or {})


def person(code: str, sequence: str, *scores: object, items: dict[str, object] | None = None) -> UnitInput:
    """A team member in ``sequence`` (队长、副队长、联络员、成员)."""
    return UnitInput(unit=code, name=f"人员{code}", group=sequence, values=dict(zip(MEMBER, scores, strict=True)), items=items or {})


def test_team_formula(inner_mongolia: ScoringSpec) -> None:
    # 指标考核 85×30% = 25.5；日常督查 90×20% = 18；第三方评估 88×20% = 17.6；总结测评 80×5% = 4；
    # 查阅台账 92×15% = 13.8；考核组综合评价 A2 = 97，97×10% = 9.7；加权合计 88.6
    # 加分：识别精准 +1，全区前5位 +2；扣分：退出不够精准 −1 → 88.6 + 3 − 1 = 90.60
    items = {"identification_precise": "是", "region_top5": "是", "exit_imprecise": "是"}
    result = score(inner_mongolia, [team("T1", 85, 90, 88, 80, 92, "A2", items=items)]).result("T1")
    assert result.weighted_sum == Decimal("88.6")
    assert (result.bonus_applied, result.penalty_applied) == (3, 1)
    assert result.total == Decimal("90.60")
    assert result.components[-1].note == "A2 → 97分（专项考核组综合评价打分对照表，优秀）"


def test_member_formula(inner_mongolia: ScoringSpec) -> None:
    # 督导组考核 88×30% = 26.4；日常督查 92×15% = 13.8；总结测评 85×5% = 4.25；实地查访 90×15% = 13.5；
    # 民意调查 87×20% = 17.4；考核组综合评价 B1 = 90，90×15% = 13.5；加权合计 88.85
    # 加分：派驻超过240天 +2，交办任务好 +2 → 92.85
    items = {"stationed_over_240": "是", "tasks_done_well": "√"}
    result = score(inner_mongolia, [person("M1", "成员", 88, 92, 85, 90, 87, "b1", items=items)]).result("M1")
    assert result.weighted_sum == Decimal("88.85")
    assert result.total == Decimal("92.85")
    assert result.formula == "member"


@pytest.mark.parametrize(
    ("code", "value"),
    [("A1", 100), ("A2", 97), ("A3", 93), ("B1", 90), ("B2", 87), ("B3", 83),
     ("C1", 80), ("C2", 77), ("C3", 73), ("D1", 70), ("D2", 67), ("D3", 63), ("ｃ２", 77), ("97", 97)],
)
def test_scale_codes(inner_mongolia: ScoringSpec, code: str, value: int) -> None:
    # 只有考核组综合评价一项不为0：value × 10%
    result = score(inner_mongolia, [team("T1", 0, 0, 0, 0, 0, code)]).result("T1")
    assert result.total == Decimal(value) / 10


@pytest.mark.parametrize(("given_value", "message"), [("E1", "不是专项考核组综合评价打分对照表的等级代码"), ("95", "95分不在")])
def test_scale_rejects_other_values(inner_mongolia: ScoringSpec, given_value: str, message: str) -> None:
    with pytest.raises(ScoreSheetError, match=message):
        score(inner_mongolia, [team("T1", 80, 80, 80, 80, 80, given_value)])


def test_excellence_capped_at_30_percent_of_a_sequence(inner_mongolia: ScoringSpec) -> None:
    # 7名成员均达到90分以上：7 × 30% = 2.1 → 向下取整 2 名优秀，其余5名调为称职
    members = [person(f"M{i}", "成员", *[100 - i] * 5, "A1") for i in range(1, 8)]
    report = score(inner_mongolia, members)
    assert [r.grade_before_quota for r in report.results] == ["优秀"] * 7
    assert [r.grade for r in report.results] == ["优秀", "优秀"] + ["称职"] * 5
    assert report.result("M3").quota_reason == (
        "组内第3名，本组“优秀”名额2个（7个 × 30% = 2.1，向下取整为2个）已满，由“优秀”调整为“称职”"
    )


def test_sequences_are_capped_separately(inner_mongolia: ScoringSpec) -> None:
    # 队长 4 人：4 × 30% = 1.2 → 1；副队长 3 人：0.9 → 0；工作总队 10 个：3
    leaders = [person(f"L{i}", "队长", *[95] * 5, "A1") for i in range(4)]
    deputies = [person(f"D{i}", "副队长", *[95] * 5, "A1") for i in range(3)]
    teams = [team(f"T{i}", *[95] * 5, "A1") for i in range(10)]
    report = score(inner_mongolia, leaders + deputies + teams)
    excellent = {g.name: sum(1 for r in report.results if r.group == g.id and r.grade == "优秀") for g in report.groups}
    assert excellent == {"工作总队": 3, "队长": 1, "副队长": 0}
    assert report.notes == (
        "“副队长”组“优秀”名额为0（3个 × 30% = 0.9，向下取整为0个），达到“优秀”分数的单位均调整为“称职”",
    )


@pytest.mark.parametrize(
    ("total", "grade"),
    [("100", "优秀"), ("90.00", "优秀"), ("89.99", "称职"), ("70.00", "称职"), ("69.99", "基本称职"),
     ("60.00", "基本称职"), ("59.99", "不称职"), ("0.00", "不称职")],
)
def test_default_thresholds(inner_mongolia: ScoringSpec, total: str, grade: str) -> None:
    # 默认分数线（原文未规定）：优秀 ≥ 90，称职 ≥ 70，基本称职 ≥ 60，其余不称职
    assert inner_mongolia.grades is not None
    assert grade_of(Decimal(total), inner_mongolia.grades)[0] == grade


def test_member_at_a_threshold(inner_mongolia: ScoringSpec) -> None:
    # 督导组考核、日常督查、实地查访、民意调查 90，总结测评 88，考核组综合评价 B1 = 90：
    # 90×(30+15+15+20)% + 88×5% + 90×15% = 72 + 4.4 + 13.5 = 89.90 → 称职；总结测评 90 时 90.00 → 优秀
    below = score(inner_mongolia, [person("M1", "成员", 90, 90, 88, 90, 90, "B1")]).result("M1")
    at = score(inner_mongolia, [person("M1", "成员", 90, 90, 90, 90, 90, "B1")]).result("M1")
    assert (below.total, below.grade_before_quota) == (Decimal("89.90"), "称职")
    assert (at.total, at.grade_before_quota) == (Decimal("90.00"), "优秀")


def test_items_that_cannot_both_apply(inner_mongolia: ScoringSpec) -> None:
    items = {"region_top5": "是", "region_bottom5": "是", "identification_precise": 1, "identification_imprecise": 1}
    with pytest.raises(ScoreSheetError) as caught:
        score(inner_mongolia, [team("T1", 80, 80, 80, 80, 80, "C1", items=items)])
    assert [p.reason for p in caught.value.problems] == [
        "贫困人口识别精准与贫困人口识别不够精准不能同时成立",
        "脱贫工作全区排名前5位与脱贫工作全区排名后5位不能同时成立",
    ]


def test_stationing_days_only_for_members(inner_mongolia: ScoringSpec) -> None:
    with pytest.raises(ScoreSheetError, match="该项不适用于“驻旗县工作总队”"):
        score(inner_mongolia, [team("T1", 80, 80, 80, 80, 80, "C1", items={"stationed_under_240": "是"})])
    report = score(inner_mongolia, [team("T1", 80, 80, 80, 80, 80, "C1", items={"stationed_under_240": "否"})])
    assert report.result("T1").penalty == ()


def test_member_columns_must_stay_empty_for_teams(inner_mongolia: ScoringSpec) -> None:
    unit = team("T1", 80, 80, 80, 80, 80, "C1")
    unit = unit.model_copy(update={"values": {**unit.values, "opinion_survey": 90}})
    with pytest.raises(ScoreSheetError, match="该分项不属于“驻旗县工作总队”的计分公式"):
        score(inner_mongolia, [unit])


def test_ties_within_a_sequence(inner_mongolia: ScoringSpec) -> None:
    # 甲：指标考核 90×30% = 27，日常督查 80×20% = 16；乙：80×30% = 24，95×20% = 19；其余相同 → 总分相同
    # 并列规则：公式第一项（指标考核）得分高者在前 → 甲（27 对 24）；丙、丁完全相同 → 按代码
    a = team("Z-甲", 90, 80, 80, 80, 80, "B1")
    b = team("A-乙", 80, 95, 80, 80, 80, "B1")
    c = team("T-丁", 70, 70, 70, 70, 70, "C1")
    d = team("T-丙", 70, 70, 70, 70, 70, "C1")
    report = score(inner_mongolia, [b, a, c, d])
    assert [r.unit for r in report.results] == ["Z-甲", "A-乙", "T-丁", "T-丙"]
    assert "依并列规则（计分公式第一个分项的得分贡献高者在前）排在其前（27 对 24）" in report.result("Z-甲").tie_notes[0]
    assert "依并列规则（单位代码按字符顺序在前者在前）排在其后" in report.result("T-丙").tie_notes[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=60, max_value=100), min_size=1, max_size=25))
def test_never_more_than_30_percent_excellent(inner_mongolia: ScoringSpec, levels: list[int]) -> None:
    members = [person(f"M{i:02d}", "成员", *[level] * 5, "A1") for i, level in enumerate(levels)]
    report = score(inner_mongolia, members)
    excellent = [r for r in report.results if r.grade == "优秀"]
    assert len(excellent) <= len(levels) * 3 // 10
    reached = [r for r in report.results if r.grade_before_quota == "优秀"]
    assert len(excellent) == min(len(reached), len(levels) * 3 // 10)
    assert all(r.rank < s.rank for r in excellent for s in reached if s not in excellent)
