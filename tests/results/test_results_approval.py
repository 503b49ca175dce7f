"""Approval before publication, pure: steps in order, and the 公示 period counted in working days."""

from __future__ import annotations

import datetime as dt

import pytest

from kaohe.clock import BEIJING
from kaohe.results.approval import RecordedApproval, approval_state, next_step
from kaohe.schemes.approval import Approval, ApprovalStep
from kaohe.workdays import load_calendar

CALENDAR = load_calendar()
STEPS = (ApprovalStep(id="review", body="考核工作领导小组", action="审议", role="coordinator", clause="第十条"),
         ApprovalStep(id="decide", body="党委常委会", action="审定", role="leader", clause="第十一条"))


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2019, 4, day, hour, tzinfo=BEIJING)


def test_steps_come_in_order_and_results_wait_for_every_one() -> None:
    approval = Approval(steps=STEPS)
    assert next_step(approval, {}) == STEPS[0]
    state = approval_state(approval, {}, CALENDAR)
    assert state.blocking(_at(1)) == "尚待考核工作领导小组审议（第十条）"
    recorded = {"review": RecordedApproval("review", "c1", _at(1))}
    assert next_step(approval, recorded) == STEPS[1]
    assert approval_state(approval, recorded, CALENDAR).blocking(_at(2)) == "尚待党委常委会审定（第十一条）"
    recorded["decide"] = RecordedApproval("decide", "l1", _at(2))
    assert next_step(approval, recorded) is None
    assert approval_state(approval, recorded, CALENDAR).blocking(_at(2, 11)) is None


@pytest.mark.parametrize(("approved", "last_day_of_publicity"), [
    (dt.datetime(2019, 4, 1, 15, tzinfo=BEIJING), dt.date(2019, 4, 9)),    # 5 working days: 2,3,4,8,9 April (清明 5 April)
    (dt.datetime(2019, 4, 26, 15, tzinfo=BEIJING), dt.date(2019, 5, 6)),   # 28 Apr (调休), 29, 30 Apr, 5 May (调休), 6 May; 劳动节 1–4 May
])
def test_the_publicity_period_counts_working_days_after_the_last_step(approved: dt.datetime, last_day_of_publicity: dt.date) -> None:
    approval = Approval(steps=STEPS[:1], publicity_days=5, publicity_clause="第十二条")
    state = approval_state(approval, {"review": RecordedApproval("review", "c1", approved)}, CALENDAR)
    assert state.publicity_ends is not None and state.publicity_ends.astimezone(BEIJING).date() == last_day_of_publicity
    end = state.publicity_ends
    assert state.blocking(end) is not None and "公示期至" in (state.blocking(end) or "")
    assert state.blocking(end + dt.timedelta(seconds=1)) is None
