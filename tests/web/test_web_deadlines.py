"""Working days between dates: consistent with the calendar's own stepping, additive, antisymmetric."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.web.deadlines import working_days_between
from kaohe.workdays import load_calendar

CAL = load_calendar()
DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2027, 12, 31))
NO_DEADLINE = settings(deadline=None)
"""Tests never fail on wall-clock time: a loaded machine made an example take 327 ms against hypothesis's 200 ms default."""


@NO_DEADLINE
@given(DAYS, st.integers(1, 400))
def test_stepping_n_working_days_forward_is_n_days_between(start: dt.date, n: int) -> None:
    assert working_days_between(CAL, start, CAL.add_working_days(start, n)) == n


@NO_DEADLINE
@given(DAYS, DAYS, DAYS)
def test_counts_add_up_and_reverse(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert working_days_between(CAL, a, c) == working_days_between(CAL, a, b) + working_days_between(CAL, b, c)
    assert working_days_between(CAL, a, b) == -working_days_between(CAL, b, a)


def test_spring_festival_2019_counts_no_holiday_and_the_adjusted_sunday() -> None:
    # Due Friday 2019-02-01; on Monday 2019-02-11 (after 春节 4–10 Feb, with working Saturday 2 and Sunday 3 Feb)
    assert working_days_between(CAL, dt.date(2019, 2, 1), dt.date(2019, 2, 11)) == 3
    assert working_days_between(CAL, dt.date(2019, 2, 1), dt.date(2019, 2, 1)) == 0


@NO_DEADLINE
@given(DAYS, DAYS)
def test_the_count_equals_walking_the_days(a: dt.date, b: dt.date) -> None:
    start, end = min(a, b), max(a, b)
    walked = sum(1 for i in range(1, (end - start).days + 1) if CAL.is_working_day(start + dt.timedelta(days=i)))
    assert working_days_between(CAL, start, end) == walked
