"""Schemes that extend a parent: inheritance, dates relative to the parent's, and the refusal of a child
deadline that falls after the parent deadline it feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kaohe.cascade.tree import late_feeds, plan_chain, plan_parent_dates
from kaohe.errors import SchemeError
from kaohe.planning import plan_cycle
from kaohe.schemes.loader import load_lineage, load_scheme_chain, load_scheme_file
from kaohe.settings import PROJECT_ROOT
from kaohe.workdays import load_calendar

SCHEMES = PROJECT_ROOT / "schemes"
EXAMPLE = PROJECT_ROOT / "samples" / "sichuan-city-example.yaml"
CAL = load_calendar()


def _child(tmp_path: Path, body: str, name: str = "child.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


HEAD = """id: city
parent: sichuan
name: 某市考核办法
document: 测试
source: sichuan-2016.txt
assessed: 县
"""


def test_the_example_city_scheme_inherits_the_province_and_is_marked_as_an_example() -> None:
    chain = load_scheme_chain(EXAMPLE, search=(SCHEMES,))
    city, province = chain
    assert (city.id, city.parent, province.id) == ("sichuan-city-example", "sichuan", "sichuan")
    assert "示例" in city.name and "非来源文件" in city.document
    assert [s.id for s in city.stages] == ["county_self_check", "self_check", "comprehensive_evaluation", "feedback", "rectification"]
    # overridden fields win, the rest is the province's
    self_check = city.stage("self_check")
    assert self_check.actor == "coordinator" and self_check.clause == province.stage("self_check").clause
    # an inherited calendar date now follows the parent cycle's date
    assert self_check.due.date == "parent.self_check.due"
    assert city.stage("feedback").due.date == province.stage("feedback").due.date  # relative to its own stage: kept
    assert city.roles["third_party"] == province.roles["third_party"] and city.roles["assessed"] != province.roles["assessed"]
    assert city.scoring is not None and province.scoring is not None
    assert city.scoring["formulas"] == province.scoring["formulas"]  # the province's formula, the city's groups
    assert [k["id"] for k in city.scoring["groups"]["kinds"]] == ["city", "county"] and city.scoring["groups"]["kinds"][1]["open"]


def test_the_example_city_dates_are_working_days_before_the_province_deadlines() -> None:
    city, province = load_lineage(str(EXAMPLE), SCHEMES)
    parent = plan_cycle(province, 2019, CAL)
    plan = plan_chain((city, province), 2019, CAL)
    assert parent.stage("self_check").due.date() == dt.date(2020, 1, 20)  # Monday
    # 3 working days before Monday 20 January 2020: Sunday the 19th was an adjusted working day (调休, Spring
    # Festival), so the county's deadline is Thursday the 16th, not Wednesday the 15th
    assert plan.stage("county_self_check").due.date() == dt.date(2020, 1, 16)
    assert plan.stage("self_check").due.date() == dt.date(2020, 1, 20)
    # 2020-02-10 is a Monday; 5 working days before it, across no holiday, is Monday 3 February
    assert plan.stage("comprehensive_evaluation").due.date() == dt.date(2020, 2, 3)
    assert plan.stage("feedback").due.date() == CAL.add_working_days(dt.date(2020, 2, 3), 10)
    assert late_feeds(city, plan, plan_parent_dates(parent)) == []


def test_parent_kind_names_the_parents_only_stage_of_that_kind(tmp_path: Path) -> None:
    path = _child(tmp_path, HEAD + """stages:
  - id: county_report
    name: 县报告
    kind: self_report
    actor: assessed
    clause: 第十二条
    due: {date: parent.self_report.due - 2 working_days, origin: default, note: 测试}
""")
    city = load_scheme_file(path, search=(SCHEMES,))
    plan = plan_chain(load_scheme_chain(path, search=(SCHEMES,)), 2018, CAL)
    # Sichuan's only self_report stage is self_check, due Sunday 2019-01-20 -> Monday 21st (next working day)
    assert plan.stage("self_check").due.date() == dt.date(2019, 1, 21)
    assert plan.stage("county_report").due.date() == dt.date(2019, 1, 17)
    assert city.stage("county_report").fed_parent_stage == "self_report"


def test_a_child_deadline_after_the_parent_deadline_it_feeds_is_refused(tmp_path: Path) -> None:
    late = HEAD + """stages:
  - id: county_report
    name: 县报告
    kind: self_report
    actor: assessed
    clause: 第十二条
    due: {date: Y+1-01-25, origin: default, note: 测试}
    feeds: self_check
"""
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(_child(tmp_path, late), search=(SCHEMES,))
    assert "county_report" in str(caught.value) and "晚于它所报送的上级阶段 self_check" in str(caught.value)
    assert "late_reason" in str(caught.value)
    with_reason = late + "    late_reason: 县报告可在省截止后补报（测试）\n"
    assert load_scheme_file(_child(tmp_path, with_reason), search=(SCHEMES,)).stage("county_report").late_reason


def test_a_relative_child_date_that_ends_after_the_parent_is_refused(tmp_path: Path) -> None:
    body = HEAD + """stages:
  - id: county_report
    name: 县报告
    kind: self_report
    actor: assessed
    clause: 第十二条
    due: {date: parent.self_check.due + 2 working_days, origin: default, note: 测试}
    feeds: self_check
"""
    with pytest.raises(SchemeError, match="county_report"):
        load_scheme_file(_child(tmp_path, body), search=(SCHEMES,))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (HEAD.replace("parent: sichuan", "parent: hebei") + "stages: []\n", "找不到上级方案 'hebei'"),
        (HEAD + "stages:\n  - id: nowhere\n    omit: true\n", "上级方案没有阶段 nowhere"),
        (HEAD + """stages:
  - id: x
    name: X
    kind: self_report
    clause: c
    due: {date: parent.nowhere.due, origin: source}
""", "上级方案没有阶段 nowhere"),
        (HEAD.replace("id: city", "id: sichuan") + "stages: []\n", "上级方案循环：sichuan → sichuan"),
    ],
)
def test_bad_child_files_are_refused_with_the_reason(tmp_path: Path, body: str, reason: str) -> None:
    with pytest.raises(SchemeError, match=reason):
        load_scheme_file(_child(tmp_path, body), search=(SCHEMES,))


def test_a_parent_date_in_a_scheme_without_a_parent_is_refused(tmp_path: Path) -> None:
    mile = (SCHEMES / "mile.yaml").read_text(encoding="utf-8")
    bad = mile.replace("due: {date: Y+1-01-23, origin: source}", "due: {date: parent.self_check.due, origin: source}", 1)
    with pytest.raises(SchemeError, match="未用 parent 指定上级方案"):
        load_scheme_file(_child(tmp_path, bad, "mile.yaml"))


def test_parent_loops_are_refused(tmp_path: Path) -> None:
    _child(tmp_path, HEAD.replace("id: city", "id: a").replace("parent: sichuan", "parent: b") + "stages: []\n", "a.yaml")
    _child(tmp_path, HEAD.replace("id: city", "id: b").replace("parent: sichuan", "parent: a") + "stages: []\n", "b.yaml")
    with pytest.raises(SchemeError, match="上级方案循环"):
        load_scheme_file(tmp_path / "a.yaml")


def test_three_levels_a_county_under_the_example_city(tmp_path: Path) -> None:
    (tmp_path / "sichuan-city-example.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    county = _child(tmp_path, """id: county-example
parent: sichuan-city-example
name: 某县考核细则（示例）
document: 测试
source: sichuan-2016.txt
assessed: 乡镇
stages:
  - id: township_report
    name: 乡镇自查
    kind: self_report
    actor: assessed
    clause: 测试
    due: {date: parent.county_self_check.due - 2 working_days, origin: default, note: 测试}
    before: county_self_check
""", "county.yaml")
    chain = load_scheme_chain(county, search=(SCHEMES,))
    assert [s.id for s in chain] == ["county-example", "sichuan-city-example", "sichuan"]
    plan = plan_chain(chain, 2019, CAL)
    assert plan.stage("township_report").due.date() == dt.date(2020, 1, 14)  # 2 working days before Thu 16th
    assert plan.stage("county_self_check").due.date() == dt.date(2020, 1, 16)  # inherited: follows the city's
    assert plan.stage("self_check").due.date() == dt.date(2020, 1, 20)


def test_validate_and_plan_the_example_from_the_command_line(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    from kaohe.cli import cli
    from kaohe.cli.app import run

    def main(args: list[str]) -> int:
        return run(cli, args)

    assert main(["schemes", "validate", str(EXAMPLE)]) == 0
    assert "有效（方案 sichuan-city-example，5 个阶段）" in capsys.readouterr().out
    assert main(["plan", str(EXAMPLE), "--year", "2019", "--json"]) == 0
    import json

    plan = json.loads(capsys.readouterr().out)
    dues = {s["id"]: s["due"][:10] for s in plan["stages"]}
    assert dues["county_self_check"] == "2020-01-16" and dues["self_check"] == "2020-01-20"
    assert plan["parent"]["scheme"] == "sichuan"
    assert {s["id"]: s["due"][:10] for s in plan["parent"]["stages"]}["self_check"] == "2020-01-20"
