"""弥勒市: base 100 + fund-input bonus capped at 20 (=120), grade bands with gaps, excellence places, 18 collectives."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaohe.errors import ScoreSheetError
from kaohe.scoring import ScoringSpec, UnitInput, score


def unit(code: str, base: object, fund: object = None, *, group: str = "西一镇", kind: str | None = "贫困乡镇") -> UnitInput:
    """A Mile unit paired with ``group``."""
    return UnitInput(unit=code, name=f"单位{code}", group=group, kind=kind, values={"base": base}, items={"fund_input": fund})


def with_gap_policy(spec: ScoringSpec, policy: str) -> ScoringSpec:
    """The same spec under another gap policy."""
    assert spec.grades is not None
    return spec.model_copy(update={"grades": spec.grades.model_copy(update={"gap_policy": policy})})


def test_base_plus_fund_bonus(mile: ScoringSpec) -> None:
    # 基础分 85 × 100% = 85；资金投入加分 7.5（上限20内）；总分 85 + 7.5 = 92.50 → 优秀
    result = score(mile, [unit("A", "85", "7.5")]).result("A")
    assert result.total == Decimal("92.50")
    assert result.grade == "优秀"
    assert result.bonus_applied == Decimal("7.5")


def test_fund_bonus_capped_at_20_total_at_120(mile: ScoringSpec) -> None:
    # 基础分 100；资金投入填 26 分，本项上限 20 → 20；总分 100 + 20 = 120.00（方案总分上限 120）
    result = score(mile, [unit("A", 100, 26)]).result("A")
    assert result.total == Decimal("120.00")
    assert result.bonus[0].note == "填报 26 分，超过本项上限 20 分，按上限计"
    assert result.grade == "优秀"


@pytest.mark.parametrize(
    ("base", "fund", "total", "grade"),
    [
        ("69", None, "69.00", "不合格"),  # 原文“69分以下”
        ("69.5", None, "69.50", "不合格"),  # 69与70之间：gap_policy=lower → 较低等次
        ("69.99", None, "69.99", "不合格"),
        ("70", None, "70.00", "合格"),  # “70-79分（含70分）”
        ("79", None, "79.00", "合格"),
        ("79.99", None, "79.99", "合格"),  # 79与80之间 → 合格
        ("80", None, "80.00", "良好"),  # “80-89分（含80分）”
        ("89.99", None, "89.99", "良好"),
        ("89.994", None, "89.99", "良好"),  # 四舍五入到 89.99
        ("89.995", None, "90.00", "优秀"),  # 四舍五入到 90.00：按公布的总分评定
        ("90", None, "90.00", "优秀"),  # “90分（含90分）以上”
        ("60", "9.5", "69.50", "不合格"),  # 60 + 9.5 = 69.50
        ("100", "20", "120.00", "优秀"),
    ],
)
def test_grade_band_edges(mile: ScoringSpec, base: str, fund: str | None, total: str, grade: str) -> None:
    result = score(mile, [unit("A", base, fund)]).result("A")
    assert (format(result.total, "f"), result.grade) == (total, grade)


def test_gap_reason_is_stated(mile: ScoringSpec) -> None:
    result = score(mile, [unit("A", "69.5")]).result("A")
    assert "不在原文任何等次区间内" in result.grade_reason
    assert "取较低等次" in result.grade_reason and "gap_policy" not in result.grade_reason  # a letter says it in words


@pytest.mark.parametrize(
    ("policy", "grade"),
    [("lower", "不合格"), ("upper", "合格"), ("round", "合格")],  # 69.5 取整（四舍五入）为 70 → 合格
)
def test_gap_policies(mile: ScoringSpec, policy: str, grade: str) -> None:
    assert score(with_gap_policy(mile, policy), [unit("A", "69.5")]).result("A").grade == grade


def test_gap_policy_error_asks_for_a_person(mile: ScoringSpec) -> None:
    spec = with_gap_policy(mile, "error")
    with pytest.raises(ScoreSheetError) as caught:
        score(spec, [unit("A", "69.5"), unit("B", "79.5"), unit("C", "85")])
    assert len(caught.value.problems) == 2
    assert "69.50" in str(caught.value.problems[0])


def test_excellence_places_per_township(mile: ScoringSpec) -> None:
    units = [
        # 贫困乡镇 西一镇：4家达到优秀分数 → 名额2家，第3、4名调为良好
        unit("P1", 98, group="西一镇"), unit("P2", 95, group="西一镇"),
        unit("P3", 93, group="西一镇"), unit("P4", 91, group="西一镇"),
        # 非贫困乡镇 弥阳镇：2家达到优秀 → 名额1家
        unit("N1", 92, group="弥阳镇", kind="非贫困乡镇"), unit("N2", 90, group="弥阳镇", kind="非贫困乡镇"),
        # 非公企业：5家达到优秀 → 名额3家
        *[unit(f"E{i}", 100 - i, group="非公企业", kind=None) for i in range(1, 6)],
    ]
    report = score(mile, units)
    grades = {r.unit: (r.grade_before_quota, r.grade) for r in report.results}
    assert grades == {
        "P1": ("优秀", "优秀"), "P2": ("优秀", "优秀"), "P3": ("优秀", "良好"), "P4": ("优秀", "良好"),
        "N1": ("优秀", "优秀"), "N2": ("优秀", "良好"),
        "E1": ("优秀", "优秀"), "E2": ("优秀", "优秀"), "E3": ("优秀", "优秀"), "E4": ("优秀", "良好"), "E5": ("优秀", "良好"),
    }
    assert report.result("P3").quota_reason == "组内第3名，本组“优秀”名额2个（贫困乡镇2个）已满，由“优秀”调整为“良好”"


def test_quota_only_counts_units_that_reached_the_grade(mile: ScoringSpec) -> None:
    report = score(mile, [unit("P1", 95), unit("P2", 85), unit("P3", 94)])
    assert [(r.unit, r.grade) for r in report.results] == [("P1", "优秀"), ("P3", "优秀"), ("P2", "良好")]


def test_eighteen_collectives_from_the_excellent(mile: ScoringSpec) -> None:
    # 10个贫困乡镇 × 每镇2家优秀 = 20家优秀 → 推荐总分最高的18家
    units = [
        unit(f"T{t:02d}U{u}", Decimal(100) - t - Decimal(u) / 10, group=f"乡镇{t:02d}")
        for t in range(10)
        for u in range(2)
    ]
    report = score(mile, units)
    chosen = [r.unit for r in report.results if r.selected("advanced_collective")]
    assert len(chosen) == 18
    assert {"T09U0", "T09U1"}.isdisjoint(chosen)
    last = report.result("T09U1")
    assert last.overall_rank == 20
    assert last.decision("advanced_collective").reason == (  # type: ignore[union-attr]
        "全部单位中第20名，名额18个（18个）已满，未列入“推荐年度扶贫先进集体”"
    )


def test_collectives_skip_units_moved_out_of_excellence(mile: ScoringSpec) -> None:
    report = score(mile, [unit("P1", 99), unit("P2", 98), unit("P3", 97)])
    decision = report.result("P3").decision("advanced_collective")
    assert decision is not None and not decision.selected
    assert "等次为“良好”" in decision.reason


def test_non_public_enterprises_form_their_own_group(mile: ScoringSpec) -> None:
    with pytest.raises(ScoreSheetError) as caught:
        score(mile, [unit("E1", 90, group="西一镇", kind="非公企业")])
    assert "只能用于方案固定的分组" in str(caught.value)


def test_township_kind_must_be_consistent(mile: ScoringSpec) -> None:
    units = [unit("A", 90, group="西一镇", kind="贫困乡镇"), unit("B", 90, group="西一镇", kind="非贫困乡镇")]
    with pytest.raises(ScoreSheetError, match="类型为“贫困乡镇”"):
        score(mile, units)
