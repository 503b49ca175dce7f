"""Approval before publication, pure: which steps are still missing and when the 公示 period ends.

Results reach the units only once every approval step of the scheme is recorded, in order, and the
publicity period (N working days after the last step, if the scheme sets one) has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from kaohe.clock import BEIJING
from kaohe.planning import end_of_day
from kaohe.schemes.approval import Approval, ApprovalStep
from kaohe.workdays import WorkdayCalendar


@dataclass(frozen=True)
class RecordedApproval:
    """A step as recorded: who and when."""

    step: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class ApprovalState:
    """The steps still missing (in order) and the end of the publicity period once every step is in."""

    missing: tuple[ApprovalStep, ...]
    publicity_ends: dt.datetime | None

    def blocking(self, now: dt.datetime) -> str | None:
        """Why results may not be sent at ``now`` (None: they may)."""
        if self.missing:
            step = self.missing[0]
            return f"尚待{step.body}{step.action}（{step.clause}）"
        if self.publicity_ends is not None and now <= self.publicity_ends:
            return f"公示期至 {self.publicity_ends.astimezone(BEIJING):%Y-%m-%d} 24时止，期满后方可通知各单位"
        return None


def next_step(approval: Approval, recorded: Mapping[str, RecordedApproval]) -> ApprovalStep | None:
    """The first step not recorded yet (steps are recorded in order)."""
    return next((s for s in approval.steps if s.id not in recorded), None)


def approval_state(approval: Approval, recorded: Mapping[str, RecordedApproval], calendar: WorkdayCalendar) -> ApprovalState:
    """Missing steps, and the publicity period's end counted in working days from the last step's day."""
    missing = tuple(s for s in approval.steps if s.id not in recorded)
    if missing or not approval.publicity_days:
        return ApprovalState(missing, None)
    last = max(r.at for r in recorded.values() if r.step in {s.id for s in approval.steps})
    end_day = calendar.add_working_days(last.astimezone(BEIJING).date(), approval.publicity_days)
    return ApprovalState((), end_of_day(end_day))
