"""Pure helpers: a unit's scoring group from the roster, which input wins, the rectification rule, the simulation."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from results_support import MILE_SHEET

from kaohe.errors import Problem, ScoreSheetError
from kaohe.results.facts import UnitFacts, group_of
from kaohe.results.inputs import SHEET, VERIFIED, plan_inputs
from kaohe.results.lines import changes, result_lines
from kaohe.results.rectify import default_rule, rectification_items
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme, load_spec
from kaohe.scoring import (
    ScoringSpec,
    parse_score_sheet,
    read_score_sheet,
    score,
)
from kaohe.settings import PROJECT_ROOT
from kaohe.testing.simulated_scores import (
    sheet_csv,
    simulated_inputs,
    simulated_sheet,
    weak_units,
)

SCHEMES = PROJECT_ROOT / "schemes"
SAMPLES = PROJECT_ROOT / "samples"


def spec(scheme: str) -> ScoringSpec:
    """The scoring of a built-in scheme."""
    loaded = load_spec(scheme, SCHEMES)
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(("scheme", "unit", "expected"), [
    ("mile", UnitFacts("A", "甲", kind="市级部门", township="西一镇", poor_township=True), ("西一镇", "贫困乡镇")),
    ("mile", UnitFacts("B", "乙", kind="市级部门", township="弥阳镇", poor_township=False), ("弥阳镇", "非贫困乡镇")),
    ("mile", UnitFacts("C", "丙", kind="非公企业", township="弥阳镇", poor_township=False), ("非公企业", None)),
    ("sichuan", UnitFacts("D", "泸州", kind="市州", region="乌蒙山区"), ("市（州）", None)),
    ("sichuan", UnitFacts("E", "叙永", kind="县", region="乌蒙山区"), ("乌蒙山区", None)),
    ("inner-mongolia-teams", UnitFacts("F", "张某", kind="队员", sequence="leader"), ("队长", None)),
    ("inner-mongolia-teams", UnitFacts("G", "李某", kind="队员", sequence="member"), ("成员", None)),
    ("mile", UnitFacts("H", "丁", township="东山镇", attributes={"分组": "东山镇", "分组类型": "贫困乡镇"}), ("东山镇", "贫困乡镇")),
])
def test_group_from_the_roster(scheme: str, unit: UnitFacts, expected: tuple[str, str | None]) -> None:
    assert group_of(spec(scheme), unit) == expected


def test_a_unit_whose_group_cannot_be_told_is_a_problem() -> None:
    problem = group_of(spec("mile"), UnitFacts("X", "某局", kind="市级部门", township="东山镇"))
    assert isinstance(problem, Problem)
    assert str(problem) == "单位 X（某局）：分组“东山镇”须注明类型（贫困乡镇、非贫困乡镇）：花名册“贫困乡镇”列为空；请填写该列或加“分组类型”列"


MILE_UNITS = [
    UnitFacts("M01", "市财政局", kind="市级部门", township="西一镇", poor_township=True),
    UnitFacts("M04", "市水务局", kind="市级部门", township="弥阳镇", poor_township=False),
    UnitFacts("M08", "市统计局", kind="市级部门", township="弥阳镇", poor_township=False),
]


def test_the_sheet_wins_for_the_units_it_lists_and_verified_scores_fill_the_rest() -> None:
    mile = spec("mile")
    sheet = [u for u in read_score_sheet(MILE_SHEET, mile) if u.unit in ("M01", "M04")]
    verified = {"M01": {"base": Decimal("50")}, "M08": {"base": Decimal("77.5"), "fund_input": Decimal("1")}}
    plan = plan_inputs(mile, MILE_UNITS, verified, sheet, str(MILE_SHEET))
    assert plan.sources == {"M01": SHEET, "M04": SHEET, "M08": VERIFIED}
    m08 = plan.inputs[-1]
    assert (m08.group, m08.kind, m08.values, m08.items) == ("弥阳镇", "非贫困乡镇", {"base": Decimal("77.5")}, {"fund_input": Decimal("1")})
    totals = {r.unit: format(r.total, "f") for r in score(mile, plan.inputs).results}
    assert totals == {"M01": "95.00", "M04": "69.50", "M08": "78.50"}


def test_every_missing_or_bad_unit_is_reported_at_once() -> None:
    mile = spec("mile")
    sheet = read_score_sheet(MILE_SHEET, mile)  # lists M02 … M07, which are not in this roster
    verified = {"M08": {"base": Decimal("101"), "daily": Decimal("3")}}
    with pytest.raises(ScoreSheetError) as caught:
        plan_inputs(mile, MILE_UNITS, verified, [u for u in sheet if u.unit != "M04"], "s.csv")
    assert caught.value.details() == [
        "s.csv，第3行，字段 单位代码：单位代码 M02 不是本周期的被考核单位",
        "s.csv，第4行，字段 单位代码：单位代码 M03 不是本周期的被考核单位",
        "s.csv，第6行，字段 单位代码：单位代码 M05 不是本周期的被考核单位",
        "s.csv，第7行，字段 单位代码：单位代码 M06 不是本周期的被考核单位",
        "s.csv，第8行，字段 单位代码：单位代码 M07 不是本周期的被考核单位",
        "单位 M04（市水务局）：既没有已签字确认的核实得分，评分表中也没有该单位",
        "单位 M08 的核实得分，字段 daily：该指标不是本方案的计分分项，无法计分",
    ]


@pytest.mark.parametrize(("scheme", "rule", "picked"), [
    ("mile", "lowest_grade", {"M04", "M07"}),
    ("sichuan", "problems", {"C3", "X4"}),
    ("inner-mongolia-teams", "lowest_grade", {"P1"}),
])
def test_who_must_rectify_by_default(scheme: str, rule: str, picked: set[str]) -> None:
    report = score(spec(scheme), read_score_sheet(Path(MILE_SHEET.parent / f"{scheme}-2018.csv"), spec(scheme)))
    assert default_rule(report) == rule
    assert set(rectification_items(report, rule)) == picked  # type: ignore[arg-type]


def test_rectification_items_are_the_letters_problems() -> None:
    report = score(spec("mile"), read_score_sheet(MILE_SHEET, spec("mile")))
    assert rectification_items(report, "lowest_grade")["M07"] == [
        "帮扶项目未按期完成", "入户走访记录不全", "“基础分”得分 60，低于本组平均分 73.00", "考核等次为“不合格”",
    ]
    assert set(rectification_items(report, "lowest_grade_or_problems")) == {"M04", "M07"}


def test_changes_between_versions_name_only_the_units_that_changed() -> None:
    mile = spec("mile")
    rows = read_score_sheet(MILE_SHEET, mile)
    before = score(mile, rows)
    fixed = [r.model_copy(update={"values": {"base": Decimal("70")}}) if r.unit == "M04" else r for r in rows]
    after = score(mile, fixed)
    old = result_lines(before, rectification_items(before, "lowest_grade"))
    new = result_lines(after, rectification_items(after, "lowest_grade"))
    changed = changes(old, new)
    assert sorted(changed) == ["M04"]
    assert (changed["M04"]["before"]["grade"], changed["M04"]["after"]["grade"]) == ("不合格", "合格")  # type: ignore[index]
    assert (changed["M04"]["after"]["total"], changed["M04"]["after"]["must_rectify"]) == ("71.50", False)  # type: ignore[index]


def test_a_simulated_mile_year_has_a_spread_and_a_few_failing_units() -> None:
    scheme = load_scheme("mile", SCHEMES)
    roster = read_roster(SAMPLES / "mile-roster.csv")
    data = simulated_sheet(scheme.scoring_spec, roster, "kaohe")
    assert data is not None and data == simulated_sheet(scheme.scoring_spec, roster, "kaohe")
    report = score(spec("mile"), parse_score_sheet(data, "sim.csv", spec("mile")))
    grades = Counter(r.grade for r in report.results)
    assert len(report.results) == 40
    assert set(grades) == {"优秀", "良好", "合格", "不合格"}
    assert 1 <= grades["不合格"] <= 5
    failing = {r.unit for r in report.results if r.grade == "不合格"}
    assert failing == weak_units([e.code for e in roster if e.role == "assessed"], "kaohe")


@settings(max_examples=15, deadline=None)
@given(seed=st.text(min_size=1, max_size=12))
def test_simulated_sheets_read_back_to_the_same_inputs(seed: str) -> None:
    for scheme, roster in (("sichuan", "sichuan-roster.csv"), ("inner-mongolia-teams", "inner-mongolia-roster.csv")):
        scoring = spec(scheme)
        inputs = simulated_inputs(scoring, read_roster(SAMPLES / roster), seed)
        read_back = parse_score_sheet(sheet_csv(scoring, inputs), "sim.csv", scoring)
        assert [r.unit for r in read_back] == [r.unit for r in inputs]
        assert score(scoring, read_back).results and score(scoring, inputs).to_dict()["results"] == score(scoring, read_back).to_dict()["results"]


@pytest.mark.parametrize("scheme", ["qujiang", "ordos"])
def test_no_simulated_sheet_without_a_formula(scheme: str) -> None:
    loaded = load_scheme(scheme, SCHEMES)
    assert simulated_sheet(loaded.scoring_spec, [], "kaohe") is None
