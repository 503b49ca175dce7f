"""The working-day table: built-in data against the maintained source, overrides, uncovered years."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import HolidayDataError
from kaohe.workdays import WorkdayCalendar, load_calendar

CAL = load_calendar()
DAYS = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31))


def test_builtin_table_matches_chinesecalendar_every_day_2004_2026() -> None:
    import chinese_calendar

    day = dt.date(2004, 1, 1)
    mismatches = []
    while day <= dt.date(2026, 12, 31):
        if CAL.is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


@pytest.mark.parametrize(
    ("day", "working", "why"),
    [
        (dt.date(2020, 1, 24), False, "春节假期"),  # Spring Festival 2020
        (dt.date(2020, 2, 2), False, "春节假期"),  # the 2020 extension (State Council, 27 Jan 2020)
        (dt.date(2020, 2, 3), True, "工作日"),
        (dt.date(2020, 1, 19), True, "调休上班日（春节）"),  # a Sunday worked
        (dt.date(2019, 2, 2), True, "调休上班日（春节）"),  # Saturday worked
        (dt.date(2019, 2, 3), True, "调休上班日（春节）"),  # Sunday worked
        (dt.date(2019, 2, 10), False, "春节假期"),
        (dt.date(2025, 1, 26), True, "调休上班日（春节）"),  # Sunday worked
        (dt.date(2019, 1, 26), False, "周末（星期六）"),
        (dt.date(2027, 1, 23), False, "周末（星期六）"),  # uncovered year: weekends only
        (dt.date(2027, 2, 8), True, "工作日"),  # uncovered year: Spring Festival not known yet
    ],
)
def test_known_days(day: dt.date, working: bool, why: str) -> None:
    assert CAL.is_working_day(day) is working
    assert CAL.describe(day) == why


def test_coverage_ends_with_the_last_published_table() -> None:
    assert CAL.covers(2004) and CAL.covers(2026)
    assert not CAL.covers(2027)
    assert CAL.is_provisional(dt.date(2027, 1, 4))


def test_override_file_adds_a_year_and_corrects_a_day(tmp_path: Path) -> None:
    override = tmp_path / "holidays.yaml"
    override.write_text(
        "years:\n"
        "  2027:\n"
        "    holidays: {'2027-02-08': 春节, '2027-02-09': 春节}\n"
        "    workdays: {'2027-02-20': 春节}\n"
        "  2026:\n"
        "    holidays: {'2026-01-05': 地方假日}\n",
        encoding="utf-8",
    )
    cal = load_calendar(override)
    assert cal.covers(2027) and not cal.is_provisional(dt.date(2027, 2, 8))
    assert not cal.is_working_day(dt.date(2027, 2, 8))
    assert cal.is_working_day(dt.date(2027, 2, 20))  # a Saturday made a working day
    assert not cal.is_working_day(dt.date(2026, 1, 5))
    assert cal.is_working_day(dt.date(2026, 1, 6))  # the rest of 2026 is untouched


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("years: {2027: {holidays: {'2027-13-01': x}}}", "years.2027.holidays"),
        ("years: {2027: {holidays: {'2026-02-01': x}}}", "years.2027.holidays"),
        ("years: {abc: {}}", "years.abc"),
        ("years: {2027: {holidayz: {}}}", "years.2027"),
        ("nothing: here", "years"),
    ],
)
def test_bad_override_names_file_and_field(tmp_path: Path, content: str, field: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(HolidayDataError) as caught:
        load_calendar(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    assert problem.field == field


@given(DAYS)
def test_next_working_day_is_a_working_day_not_before(day: dt.date) -> None:
    moved = CAL.next_working_day(day)
    assert moved >= day and CAL.is_working_day(moved)
    assert all(not CAL.is_working_day(day + dt.timedelta(days=i)) for i in range((moved - day).days))


@given(DAYS)
def test_previous_working_day_never_moves_later(day: dt.date) -> None:
    moved = CAL.previous_working_day(day)
    assert moved <= day and CAL.is_working_day(moved)


@given(DAYS, st.integers(min_value=-30, max_value=30))
def test_add_working_days_counts_working_days(day: dt.date, count: int) -> None:
    target = CAL.add_working_days(day, count)
    assert CAL.is_working_day(target)
    if count > 0:
        between = [day + dt.timedelta(days=i) for i in range(1, (target - day).days + 1)]
        assert sum(CAL.is_working_day(d) for d in between) == count
    elif count < 0:
        between = [target + dt.timedelta(days=i) for i in range(0, (day - target).days)]
        assert sum(CAL.is_working_day(d) for d in between) == -count


@given(DAYS)
def test_weekends_only_calendar_for_uncovered_data(day: dt.date) -> None:
    assert WorkdayCalendar().is_working_day(day) is (day.weekday() < 5)
