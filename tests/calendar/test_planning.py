"""Planned dates for every scheme, checked against DOMAIN.md and the official holiday tables."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe import dateexpr
from kaohe.planning import apply_policy, plan_cycle
from kaohe.schemes import load_scheme, scheme_files
from kaohe.settings import PROJECT_ROOT
from kaohe.workdays import load_calendar

CAL = load_calendar()
SCHEMES_DIR = PROJECT_ROOT / "schemes"
SCHEME_IDS = [p.stem for p in scheme_files(SCHEMES_DIR)]
YEARS = range(2016, 2027)
POLICIES = ("keep", "next", "previous")


def _plan(scheme: str, year: int, policy: str | None = None, **kwargs):  # type: ignore[no-untyped-def]
    return plan_cycle(load_scheme(scheme, SCHEMES_DIR), year, CAL, policy_override=policy, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scheme", "year", "policy", "stage", "source_due", "final_due", "adjusted"),
    [
        # The two examples.
        ("mile", 2019, "next", "submission", "2020-01-24", "2020-02-03", True),  # Spring Festival, extended to 2 Feb
        ("sichuan", 2018, "previous", "comprehensive_evaluation", "2019-02-10", "2019-02-03", True),  # Sunday worked
        # Mile, each source date of the 2018 cycle (deadlines in 2019).
        ("mile", 2018, "next", "self_check", "2019-01-23", "2019-01-23", False),  # Wednesday
        ("mile", 2018, "next", "submission", "2019-01-24", "2019-01-24", False),
        ("mile", 2018, "next", "verification", "2019-01-26", "2019-01-28", True),  # Saturday -> Monday
        ("mile", 2018, "previous", "verification", "2019-01-26", "2019-01-25", True),  # Saturday -> Friday
        ("mile", 2018, "keep", "verification", "2019-01-26", "2019-01-26", False),
        ("mile", 2018, "next", "city_evaluation", "2019-02-14", "2019-02-14", False),
        ("mile", 2018, "next", "spot_check", "2019-02-28", "2019-02-28", False),
        ("mile", 2018, "next", "summary", "2019-03-07", "2019-03-07", False),
        ("mile", 2018, "next", "rectification", "2019-03-17", "2019-03-18", True),  # Sunday -> Monday
        ("mile", 2019, "next", "summary", "2020-03-07", "2020-03-09", True),
        # Sichuan: 20 Jan and the 1月底 windows.
        ("sichuan", 2018, "next", "self_check", "2019-01-20", "2019-01-21", True),
        ("sichuan", 2019, "next", "self_check", "2020-01-20", "2020-01-20", False),
        ("sichuan", 2019, "next", "provincial_spot_check", "2020-01-31", "2020-02-03", True),  # extended Spring Festival
        ("sichuan", 2020, "next", "comprehensive_evaluation", "2021-02-10", "2021-02-10", False),
        ("sichuan", 2024, "next", "comprehensive_evaluation", "2025-02-10", "2025-02-10", False),
        # Inner Mongolia: 5 Jan, 月底 of a leap February, adjusted working weekend.
        ("inner-mongolia-teams", 2019, "next", "self_summary", "2020-01-05", "2020-01-06", True),
        ("inner-mongolia-teams", 2019, "next", "group_report", "2020-02-29", "2020-03-02", True),  # leap year
        ("inner-mongolia-teams", 2019, "keep", "group_report", "2020-02-29", "2020-02-29", False),
        ("inner-mongolia-teams", 2023, "previous", "group_report", "2024-02-29", "2024-02-29", False),  # Thursday
        ("inner-mongolia-teams", 2018, "next", "group_report", "2019-02-28", "2019-02-28", False),
        ("inner-mongolia-teams", 2024, "previous", "self_summary", "2025-01-05", "2025-01-03", True),
        # Qujiang: 1月底, the only date its source gives.
        ("qujiang", 2017, "next", "comprehensive_assessment", "2018-01-31", "2018-01-31", False),
        ("qujiang", 2022, "next", "comprehensive_assessment", "2023-01-31", "2023-01-31", False),
    ],
)
def test_stage_dates(scheme: str, year: int, policy: str, stage: str, source_due: str, final_due: str, adjusted: bool) -> None:
    planned = _plan(scheme, year, policy).stage(stage)
    assert planned.source_due == dt.date.fromisoformat(source_due)
    assert planned.due.date() == dt.date.fromisoformat(final_due)
    assert planned.adjusted is adjusted
    assert planned.due.isoformat().endswith("T23:59:59+08:00")
    if adjusted:
        assert source_due in (planned.reason or "") and final_due in (planned.reason or "")


def test_reason_names_the_holiday_and_the_rule() -> None:
    planned = _plan("mile", 2019, "next").stage("submission")
    assert planned.reason == "2020-01-24 为春节假期，依《民法典》第二百零三条顺延至下一个工作日 2020-02-03"


def test_default_dates_say_so_and_name_no_source_date() -> None:
    plan = _plan("inner-mongolia-teams", 2018)
    aggregation = plan.stage("data_aggregation")  # "2月初": no day in the source
    assert aggregation.date_origin == "default" and aggregation.source_due is None
    assert "2月初" in (aggregation.note or "")
    for stage in _plan("ordos", 2018).stages:
        assert stage.date_origin == "default"


def test_2026_cycle_is_provisional_and_plans_without_error() -> None:
    plan = _plan("mile", 2026)
    assert plan.provisional
    self_check = plan.stage("self_check")
    assert self_check.provisional and "暂定" in (self_check.reason or "")
    assert self_check.due.date() == dt.date(2027, 1, 25)  # 23 Jan 2027 is a Saturday


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_every_scheme_every_year_every_policy(scheme: str, year: int) -> None:
    for policy in POLICIES:
        plan = _plan(scheme, year, policy)
        assert plan.provisional is (year >= 2026)
        for stage in plan.stages:
            if policy != "keep":
                assert CAL.is_working_day(stage.due.date()), (stage.id, stage.due)
            if stage.source_due is not None and policy == "keep":
                assert stage.due.date() == stage.source_due
            if stage.source_due is not None and policy == "next":
                assert stage.due.date() >= stage.source_due
            if stage.source_due is not None and policy == "previous":
                assert stage.due.date() <= stage.source_due
            if stage.opens is not None:
                assert stage.opens <= stage.due
        for reminder in plan.reminders:
            assert CAL.is_working_day(reminder.at.date()), reminder
            assert reminder.at.strftime("%H:%M") == "09:00"


def test_reminder_waves_of_one_stage() -> None:
    plan = _plan("mile", 2018, "next")
    waves = [(r.kind, r.at.date().isoformat()) for r in plan.reminders if r.stage == "self_check"]
    assert waves == [
        ("stage_opened", "2018-12-03"),  # 1 Dec 2018 is a Saturday
        ("upcoming", "2019-01-16"),  # 5 working days before Wed 23 Jan
        ("upcoming", "2019-01-21"),  # 2 working days before
        ("due_today", "2019-01-23"),
        ("overdue", "2019-01-24"),  # 1 working day after
        ("escalation", "2019-01-28"),  # 3 working days after: Thu 24, Fri 25, Mon 28
    ]


def test_due_on_a_holiday_under_keep_reminds_the_working_day_before() -> None:
    plan = _plan("mile", 2018, "keep")
    kinds = {r.at.date(): r.kind for r in plan.reminders if r.stage == "verification"}
    assert dt.date(2019, 1, 26) not in kinds  # Saturday: no reminder on the due day itself
    assert kinds[dt.date(2019, 1, 25)] == "upcoming"


def test_office_hours_are_configurable() -> None:
    plan = _plan("mile", 2018, office_hours="08:30")
    assert {r.at.strftime("%H:%M") for r in plan.reminders} == {"08:30"}


def test_event_moves_the_stages_that_depend_on_it() -> None:
    default = _plan("inner-mongolia-teams", 2018).stage("meeting_materials")
    assert default.due.date() == dt.date(2019, 1, 17)  # default meeting 20 Jan, materials 3 days before
    moved = _plan("inner-mongolia-teams", 2018, events={"summary_meeting": dt.date(2019, 1, 25)}).stage("meeting_materials")
    assert moved.due.date() == dt.date(2019, 1, 22)
    assert moved.date_origin == "source" and moved.source_due == dt.date(2019, 1, 22)


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        ("Y+1-02-last", 2019, "2020-02-29"),
        ("Y+1-02-last", 2018, "2019-02-28"),
        ("Y+1-01-last", 2018, "2019-01-31"),
        ("Y-12-01", 2018, "2018-12-01"),
        ("Y+1-03-17", 2023, "2024-03-17"),
    ],
)
def test_year_expressions(text: str, year: int, expected: str) -> None:
    assert dateexpr.resolve_year_date(dateexpr.parse(text), year).isoformat() == expected


@pytest.mark.parametrize("text", ["Y+1-13-01", "Y+1-02-30", "2019-01-23", "stage.Self.due", "Y+1-01-23 + 3 weeks", ""])
def test_malformed_expressions_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="Y"):
        dateexpr.parse(text)


def test_29_february_in_a_common_year_is_an_error() -> None:
    with pytest.raises(ValueError, match="闰年"):
        dateexpr.resolve_year_date(dateexpr.parse("Y+1-02-29"), 2018)


@given(st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2030, 12, 1)))
def test_policies_order(day: dt.date) -> None:
    keep, _ = apply_policy(day, "keep", CAL)
    later, _ = apply_policy(day, "next", CAL)
    earlier, _ = apply_policy(day, "previous", CAL)
    assert keep == day
    assert earlier <= day <= later
    assert CAL.is_working_day(later) and CAL.is_working_day(earlier)
    assert (later == day) == CAL.is_working_day(day)


def test_plan_json_shape() -> None:
    data = _plan("mile", 2019, "next").to_json()
    assert data["provisional"] is False
    stage = data["stages"][1]
    assert {"id", "name", "due", "source_due", "adjusted", "reason", "clause", "date_origin"} <= set(stage)
    assert stage["due"] == "2020-02-03T23:59:59+08:00" and stage["source_due"] == "2020-01-24"
    reminder = data["reminders"][0]
    assert set(reminder) >= {"stage", "at", "kind"} and reminder["at"].endswith("+08:00")


def test_schemes_dir_is_the_repository_one() -> None:
    assert SCHEMES_DIR == Path(__file__).resolve().parents[2] / "schemes"
