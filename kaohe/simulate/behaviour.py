"""How simulated units behave: most on time, some late, some never. Pure and seeded."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from kaohe.clock import BEIJING
from kaohe.engine.state import ObligationState
from kaohe.workdays import WorkdayCalendar


@dataclass(frozen=True)
class Behaviour:
    """Shares of units that complete on time and late; the rest never complete."""

    on_time: float = 0.75
    late: float = 0.15
    max_late_working_days: int = 4


@dataclass(frozen=True)
class PlannedCompletion:
    """A unit that will complete a stage at ``at``."""

    unit: str
    stage: str
    at: dt.datetime


def fraction(seed: str, *parts: str) -> float:
    """A number in [0, 1) fixed by the seed and the parts."""
    digest = hashlib.sha256("|".join((seed, *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def plan_completions(obligations: Iterable[ObligationState], opens: dict[str, dt.datetime | None], calendar: WorkdayCalendar,
                     *, seed: str, behaviour: Behaviour = Behaviour()) -> list[PlannedCompletion]:
    """When each simulated unit completes each of its stages (same seed, same year: same answers)."""
    planned: list[PlannedCompletion] = []
    for obligation in obligations:
        roll = fraction(seed, obligation.stage_key, obligation.unit_code)
        due_day = obligation.due_at.astimezone(BEIJING).date()
        start = opens.get(obligation.stage_key)
        start_day = start.astimezone(BEIJING).date() if start else due_day - dt.timedelta(days=20)
        spread = fraction(seed, "when", obligation.stage_key, obligation.unit_code)
        if roll < behaviour.on_time:
            span = max((due_day - start_day).days, 0)
            day = calendar.next_working_day(start_day + dt.timedelta(days=int(spread * span)))
            day = min(day, due_day)
        elif roll < behaviour.on_time + behaviour.late:
            day = calendar.add_working_days(due_day, 1 + int(spread * behaviour.max_late_working_days))
        else:
            continue
        hour = 10 + int(fraction(seed, "hour", obligation.stage_key, obligation.unit_code) * 7)
        planned.append(PlannedCompletion(obligation.unit_code, obligation.stage_key,
                                         dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=BEIJING)))
    return sorted(planned, key=lambda c: (c.at, c.stage, c.unit))
