"""When a message that is not a timed reminder may go out: office hours on a working day."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.clock import BEIJING
from kaohe.planning import OFFICE_DAY_ENDS, office_instant
from kaohe.workdays import load_calendar

CAL = load_calendar()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2019-01-01T00:00", "2019-01-02T09:00"),  # New Year's Day at midnight -> next working morning
        ("2019-01-02T00:00", "2019-01-02T09:00"),  # a working day before office hours -> that morning
        ("2019-01-02T10:30", "2019-01-02T10:30"),  # during office hours -> at once
        ("2019-01-02T18:30", "2019-01-03T09:00"),  # after office hours -> next working morning
        ("2019-02-01T19:00", "2019-02-02T09:00"),  # Friday evening -> Saturday 2 Feb 2019, a working day
        ("2020-01-23T20:00", "2020-02-03T09:00"),  # the eve of the extended 2020 Spring Festival
    ],
)
def test_office_instant(moment: str, expected: str) -> None:
    at = dt.datetime.fromisoformat(moment).replace(tzinfo=BEIJING)
    assert office_instant(at, CAL, "09:00").strftime("%Y-%m-%dT%H:%M") == expected


@given(st.datetimes(min_value=dt.datetime(2005, 1, 1), max_value=dt.datetime(2030, 12, 1)))
def test_office_instant_is_a_working_day_in_office_hours_not_before(naive: dt.datetime) -> None:
    moment = naive.replace(tzinfo=BEIJING)
    sent = office_instant(moment, CAL, "09:00")
    assert sent >= moment
    assert CAL.is_working_day(sent.date())
    assert dt.time(9, 0) <= sent.time() < OFFICE_DAY_ENDS
