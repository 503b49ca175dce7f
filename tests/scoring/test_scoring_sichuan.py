"""四川省: weights 65/10/10/15 with pro-rata reallocation, advanced by region, bottom, two-year rules."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import ScoreSheetError
from kaohe.scoring import PreviousResult, ScoringSpec, UnitInput, score
from kaohe.scoring.formula import effective_weights

TASKS = ("population_exit", "village_exit", "county_delisting")


def unit(
    code: str,
    group: str = "市（州）",
    *,
    level: object = 80,
    tasks: dict[str, object] | None = None,
    accountability: bool = False,
    **values: object,
) -> UnitInput:
    """A Sichuan unit: every component at ``level`` unless given; the three tasks as given."""
    scores: dict[str, object] = {c: level for c in ("income_growth", "precise_identification", "precise_assistance", "poverty_funds")}
    scores.update({t: level for t in TASKS})
    scores.update(tasks or {})
    scores.update(values)
    return UnitInput(unit=code, name=f"单位{code}", group=group, values=scores, flags={"accountability": accountability})


def test_all_tasks_present(sichuan: ScoringSpec) -> None:
    # 贫困人口脱贫 90×16.25% = 14.625；贫困村退出 80×16.25% = 13；贫困县摘帽 70×16.25% = 11.375；
    # 收入增长 60×16.25% = 9.75；精准识别 85×10% = 8.5；精准帮扶 90×10% = 9；扶贫资金 95×15% = 14.25
    # 合计 14.625 + 13 + 11.375 + 9.75 + 8.5 + 9 + 14.25 = 80.5
    u = unit("C1", tasks={"population_exit": 90, "village_exit": 80, "county_delisting": 70},
             income_growth=60, precise_identification=85, precise_assistance=90, poverty_funds=95)
    result = score(sichuan, [u]).result("C1")
    assert result.total == Decimal("80.50")
    assert result.reallocation_notes == ()
    assert result.grade is None


def test_county_with_only_population_exit(sichuan: ScoringSpec) -> None:
    # 只有贫困人口脱贫：16.25% × 3 = 48.75%；90 × 48.75% = 43.875
    # 收入增长 80×16.25% = 13；精准识别 85×10% = 8.5；精准帮扶 90×10% = 9；扶贫资金 95×15% = 14.25
    # 合计 43.875 + 13 + 8.5 + 9 + 14.25 = 88.625 → 四舍五入 88.63
    u = unit("K1", "秦巴山区", tasks={"population_exit": 90, "village_exit": None, "county_delisting": "无任务"},
             precise_identification=85, precise_assistance=90, poverty_funds=95)
    result = score(sichuan, [u]).result("K1")
    weights = {c.id: c.weight for c in result.components}
    assert weights["population_exit"] == Fraction("48.75")
    assert weights["village_exit"] == weights["county_delisting"] == 0
    assert result.total_exact == Fraction("88.625")
    assert result.total == Decimal("88.63")
    assert result.reallocation_notes == (
        "减贫任务：无贫困村退出、贫困县摘帽任务，其权重 32.5% 按比例折入有任务的指标（贫困人口脱贫 16.25% → 48.75%）",
    )


def test_two_tasks_share_the_missing_weight(sichuan: ScoringSpec) -> None:
    # 无贫困县摘帽：贫困人口脱贫、贫困村退出各 16.25% × 48.75/32.5 = 24.375%
    # 100×24.375% + 60×24.375% = 24.375 + 14.625 = 39；其余 80×(16.25+10+10+15)% = 41；合计 80.00
    u = unit("C1", tasks={"population_exit": 100, "village_exit": 60, "county_delisting": None})
    result = score(sichuan, [u]).result("C1")
    assert {c.id: c.weight for c in result.components}["village_exit"] == Fraction("24.375")
    assert result.total == Decimal("80.00")


def test_no_task_at_all_is_an_input_error(sichuan: ScoringSpec) -> None:
    u = unit("C1", tasks=dict.fromkeys(TASKS))
    with pytest.raises(ScoreSheetError, match="至少应有1项"):
        score(sichuan, [u])


def test_no_task_only_for_the_three_task_indicators(sichuan: ScoringSpec) -> None:
    with pytest.raises(ScoreSheetError, match="字段 扶贫资金：缺少得分"):
        score(sichuan, [unit("C1", poverty_funds=None)])


@given(st.sets(st.sampled_from(TASKS), min_size=1))
def test_reallocated_weights_always_sum_to_100(sichuan: ScoringSpec, present: set[str]) -> None:
    formula = sichuan.formulas[0]
    weights, _ = effective_weights(formula, frozenset(set(TASKS) - present))
    assert sum(weights.values()) == 100
    assert sum(weights[t] for t in TASKS) == Fraction("48.75")


def cities(count: int = 21, **flagged: bool) -> list[UnitInput]:
    """``count`` cities with distinct totals: C01 best (level 99), each next one point lower."""
    return [unit(f"C{i:02d}", level=100 - i, accountability=flagged.get(f"C{i:02d}", False)) for i in range(1, count + 1)]


def test_top_third_of_21_cities_is_7(sichuan: ScoringSpec) -> None:
    report = score(sichuan, cities())
    advanced = [r.unit for r in report.results if r.selected("advanced")]
    assert advanced == [f"C{i:02d}" for i in range(1, 8)]
    assert report.result("C07").decision("advanced").reason == (  # type: ignore[union-attr]
        "组内第7名，名额7个（21个 × 1/3 = 7，向下取整为7个），列入“先进”"
    )
    assert [r.unit for r in report.results if r.selected("bottom")] == ["C21"]


def test_accountability_blocks_advanced_and_the_next_city_moves_up(sichuan: ScoringSpec) -> None:
    report = score(sichuan, cities(C03=True))
    advanced = [r.unit for r in report.results if r.selected("advanced")]
    assert advanced == ["C01", "C02", "C04", "C05", "C06", "C07", "C08"]
    reason = report.result("C03").decision("advanced").reason  # type: ignore[union-attr]
    assert reason == "组内第3名；存在“领导班子有关责任人受到责任追究或诫勉谈话”，不能列入“先进”"


def test_without_refill_the_place_stays_empty(sichuan: ScoringSpec) -> None:
    selections = [s.model_copy(update={"refill": False}) if s.id == "advanced" else s for s in sichuan.selections]
    spec = sichuan.model_copy(update={"selections": selections})
    report = score(spec, cities(C03=True))
    assert len([r for r in report.results if r.selected("advanced")]) == 6


@pytest.mark.parametrize(
    ("size", "advanced", "bottom"),
    [
        (13, 2, 1),  # 13 × 20% = 2.6 → 2；13 × 10% = 1.3 → 1
        (10, 2, 1),  # 10 × 20% = 2；10 × 10% = 1
        (9, 1, 0),  # 9 × 20% = 1.8 → 1；9 × 10% = 0.9 → 0（向下取整）
        (35, 7, 3),  # 35 × 20% = 7；35 × 10% = 3.5 → 3
    ],
)
def test_counties_per_region(sichuan: ScoringSpec, size: int, advanced: int, bottom: int) -> None:
    counties = [unit(f"K{i:02d}", "乌蒙山区", level=100 - i) for i in range(1, size + 1)]
    others = [unit(f"Q{i:02d}", "秦巴山区", level=50 + i) for i in range(1, 11)]
    report = score(sichuan, counties + others)
    region = [r for r in report.results if r.group == "wumeng"]
    assert [r.unit for r in region if r.selected("advanced")] == [f"K{i:02d}" for i in range(1, advanced + 1)]
    assert [r.unit for r in region if r.selected("bottom")] == [f"K{i:02d}" for i in range(size - bottom + 1, size + 1)]
    # the other region is ranked on its own: its best county leads it even though it is weaker than every 乌蒙 one
    assert report.result("Q10").rank == 1 and report.result("Q10").selected("advanced")


def test_two_years_advanced_commends_the_leaders(sichuan: ScoringSpec) -> None:
    previous = [
        PreviousResult(unit="C01", selections=frozenset({"advanced"})),
        PreviousResult(unit="C02"),
        PreviousResult(unit="C21", selections=frozenset({"bottom"})),
        PreviousResult(unit="C20", selections=frozenset({"bottom"})),
    ]
    report = score(sichuan, cities(), previous)
    commend = {r.unit: r.flag("commend_leaders") for r in report.results}
    assert commend["C01"].triggered is True  # type: ignore[union-attr]
    assert commend["C01"].reason == "本年列入“先进”，上年列入“先进”：连续两年，党委、政府主要负责人通报表扬"  # type: ignore[union-attr]
    assert commend["C02"].triggered is False  # type: ignore[union-attr]
    assert commend["C05"].reason == "上年结果中没有该单位，不能认定连续两年“先进”"  # type: ignore[union-attr]
    admonish = {r.unit: r.flag("admonishment").triggered for r in report.results}  # type: ignore[union-attr]
    assert [u for u, t in admonish.items() if t] == ["C21"]


def test_county_bottom_ten_percent_two_years_running(sichuan: ScoringSpec) -> None:
    counties = [unit(f"K{i:02d}", "高原藏区", level=100 - i) for i in range(1, 21)]  # 20个县：倒数10% = 2个
    previous = [PreviousResult(unit=code, selections=frozenset({"bottom"})) for code in ("K19", "K18")]
    report = score(sichuan, counties, previous)
    assert [r.unit for r in report.results if r.selected("bottom")] == ["K19", "K20"]
    assert [r.unit for r in report.results if r.flag("admonishment").triggered] == ["K19"]  # type: ignore[union-attr]


def test_without_previous_year_nothing_is_claimed(sichuan: ScoringSpec) -> None:
    flag = score(sichuan, cities(3)).result("C01").flag("commend_leaders")
    assert flag is not None and flag.triggered is None and flag.reason == "未提供上年考核结果，未评估"


def test_previous_year_problems_are_reported(sichuan: ScoringSpec) -> None:
    previous = [PreviousResult(unit="C01", selections=frozenset({"famous"}), row=2), PreviousResult(unit="C01", row=3)]
    with pytest.raises(ScoreSheetError) as caught:
        score(sichuan, cities(3), previous, previous_file="2017.csv")
    assert caught.value.details() == ["2017.csv，第2行：未知的选取结果 'famous'", "2017.csv，第3行，字段 单位代码：单位代码 C01 重复"]


def test_ties_broken_by_poverty_reduction(sichuan: ScoringSpec) -> None:
    # A：减贫成效 4×90×16.25% = 58.5，其余 80×35% = 28 → 86.5
    # B：减贫成效 4×80×16.25% = 52，其余 精准识别 100×10% + 精准帮扶 95×10% + 扶贫资金 100×15% = 34.5 → 86.5
    a = unit("B-first-by-code", level=90, precise_identification=80, precise_assistance=80, poverty_funds=80)
    b = unit("A-first-by-code", level=80, precise_identification=100, precise_assistance=95, poverty_funds=100)
    report = score(sichuan, [b, a])
    assert [r.unit for r in report.results] == ["B-first-by-code", "A-first-by-code"]
    assert report.results[0].total == report.results[1].total == Decimal("86.50")
    assert report.results[0].tie_notes == (
        "与 A-first-by-code（单位A-first-by-code）总分同为 86.50，"
        "依并列规则（“减贫成效”类得分贡献合计高者在前）排在其前（58.5 对 52）",
    )
