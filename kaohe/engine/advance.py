"""Deciding what happens when a cycle is advanced from one instant to the next. Pure.

Rules:
- a stage opens when its window has begun (a stage whose scheme gives no opening date is open from
  the cycle's first advance) and closes when its deadline has passed;
- an obligation not done by its own due date (stage date or a unit's extension) becomes overdue;
- the reminder waves that fall in ``(since, now]`` are delivered only to units that still owe the
  stage; an escalation goes to the overdue unit's supervisor (or, without one, the coordinators);
- after a downtime several waves may have fallen in the window: a unit then gets only the latest
  of them (one overdue notice, not every missed "upcoming"), and its supervisor only the latest
  escalation. Skipped waves are counted, not silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from kaohe.clock import BEIJING
from kaohe.engine.state import (
    UNIT_KINDS,
    Decisions,
    Delivery,
    ObligationState,
    StageState,
)
from kaohe.planning import PlannedReminder, plan_reminders
from kaohe.workdays import WorkdayCalendar

OWING = frozenset({"pending", "overdue"})


def decide(
    stages: Sequence[StageState],
    obligations: Iterable[ObligationState],
    supervisors: Mapping[str, Sequence[str]],
    calendar: WorkdayCalendar,
    *,
    since: dt.datetime | None,
    now: dt.datetime,
    office_hours: str,
) -> Decisions:
    """What to record and send when advancing from ``since`` (exclusive; None: the beginning) to ``now``.

    ``supervisors`` maps a unit code to the codes that receive its escalations.
    """
    by_key = {s.key: s for s in stages}
    open_stages = tuple(s.key for s in stages if s.status == "pending" and (s.opens_at is None or s.opens_at <= now) and s.due_at >= now)
    close_stages = tuple(s.key for s in stages if s.status in ("pending", "open") and s.due_at < now)
    mark_overdue: list[int] = []
    deliveries: list[Delivery] = []
    skipped = 0
    window_cache: dict[tuple[str, dt.datetime], tuple[PlannedReminder | None, PlannedReminder | None, int]] = {}
    for obligation in obligations:
        if obligation.status not in OWING:
            continue
        stage = by_key[obligation.stage_key]
        if obligation.status == "pending" and obligation.due_at < now:
            mark_overdue.append(obligation.id)
        if stage.reminders is None:
            continue
        cache_key = (stage.key, obligation.due_at)
        if cache_key not in window_cache:
            window_cache[cache_key] = _latest_in_window(_waves(stage, obligation.due_at, calendar, office_hours), since, now)
        unit_wave, escalation, missed = window_cache[cache_key]
        skipped += missed
        if unit_wave is not None:
            deliveries.append(_delivery(obligation, obligation.unit_code, unit_wave))
        if escalation is not None:
            for supervisor in supervisors.get(obligation.unit_code, ()):
                deliveries.append(_delivery(obligation, supervisor, escalation))
    return Decisions(open_stages, close_stages, tuple(mark_overdue), tuple(deliveries), skipped)


def _latest_in_window(waves: list[PlannedReminder], since: dt.datetime | None, now: dt.datetime
                      ) -> tuple[PlannedReminder | None, PlannedReminder | None, int]:
    """The latest unit wave and the latest escalation in ``(since, now]``, and how many older ones they replace."""
    window = [w for w in waves if (since is None or w.at > since) and w.at <= now]
    unit_waves = [w for w in window if w.kind in UNIT_KINDS]
    escalations = [w for w in window if w.kind == "escalation"]
    missed = max(0, len(unit_waves) - 1) + max(0, len(escalations) - 1)
    return (unit_waves[-1] if unit_waves else None), (escalations[-1] if escalations else None), missed


def _waves(stage: StageState, due_at: dt.datetime, calendar: WorkdayCalendar, office_hours: str) -> list[PlannedReminder]:
    assert stage.reminders is not None
    opens_day = stage.opens_at.astimezone(BEIJING).date() if stage.opens_at else None
    hhmm = stage.reminders.at or office_hours
    return plan_reminders(stage.key, opens_day, due_at.astimezone(BEIJING).date(), stage.reminders, calendar, hhmm)


def _delivery(obligation: ObligationState, recipient: str, wave: PlannedReminder) -> Delivery:
    return Delivery(
        stage_key=obligation.stage_key, unit_code=obligation.unit_code, recipient_code=recipient,
        kind=wave.kind, wave=wave.wave, at=wave.at, due_at=obligation.due_at,
    )


def wave_instants(stages: Sequence[StageState], obligations: Iterable[ObligationState], calendar: WorkdayCalendar,
                  office_hours: str) -> list[dt.datetime]:
    """Every instant at which something is due to happen: windows opening, deadlines, reminder waves.

    A scheduler (Prefect runs, or the simulation) advances the cycle at exactly these instants.
    """
    instants: set[dt.datetime] = set()
    for stage in stages:
        if stage.opens_at:
            instants.add(stage.opens_at)
        instants.add(stage.due_at + dt.timedelta(seconds=1))
    seen: set[tuple[str, dt.datetime]] = set()
    by_key = {s.key: s for s in stages}
    for obligation in obligations:
        stage = by_key[obligation.stage_key]
        if stage.reminders is None or (stage.key, obligation.due_at) in seen:
            continue
        seen.add((stage.key, obligation.due_at))
        instants.update(w.at for w in _waves(stage, obligation.due_at, calendar, office_hours))
        instants.add(obligation.due_at + dt.timedelta(seconds=1))
    return sorted(instants)
