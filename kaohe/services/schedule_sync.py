"""Keeping cycles in step with the calendar in force: a changed holiday table re-plans the cycles whose dates
were resolved with another one (the cascade's re-plan, units told once), and the cycles whose dates moved are
listed for their scheduled runs to be synced (the safety net runs ``schedule-cycle`` for each)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kaohe.cascade.apply import CascadeReport, replan_all, tree_of
from kaohe.models import Cycle
from kaohe.schemes.loader import load_lineage
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.audit import record
from kaohe.store.schedule_sync import calendar_outdated, clear_schedule_stale, schedule_stale_since, stale_schedules

CALENDAR_CHANGED = "节假日安排已更新（KAOHE_HOLIDAYS_FILE 或内置节假日表有变），按新的工作日安排重新排期"


@dataclass(frozen=True)
class ResyncCalendar:
    """Re-plan every active cycle whose dates were resolved with another calendar than the one in force."""

    actor: Actor
    reason: str = CALENDAR_CHANGED


@dataclass(frozen=True)
class CalendarResync:
    """The calendar's fingerprint, the cycles re-planned (first seen: no fingerprint stored yet) and what moved."""

    fingerprint: str
    replanned: tuple[str, ...] = ()
    first_seen: tuple[str, ...] = ()
    report: CascadeReport = field(default_factory=CascadeReport)

    def to_json(self) -> dict[str, Any]:
        """As JSON (the safety net's run result)."""
        return {"fingerprint": self.fingerprint, "replanned": list(self.replanned), "first_seen": list(self.first_seen),
                **self.report.to_json()}


def stamp_calendar(cycles: list[Cycle], fingerprint: str) -> None:
    """Record that these cycles now hold dates resolved with ``fingerprint`` (the re-planned trees: an ancestor
    in them was either re-planned too or already held the calendar in force)."""
    for cycle in cycles:
        cycle.calendar_hash = fingerprint


def resync_calendar(context: AppContext, command: ResyncCalendar) -> CalendarResync:
    """Compare each active cycle's stored calendar fingerprint with the calendar in force; re-plan those that differ
    (top-down through their trees, each unit whose dates moved told once) and store the new fingerprint."""
    authorize(command.actor, Action.REPLAN_CYCLES, Scope())
    fingerprint = context.calendar.fingerprint()
    schemes_dir = context.settings.schemes_dir
    with context.unit_of_work(command.actor) as uow:
        outdated = calendar_outdated(uow.session, fingerprint)
        if not outdated:
            return CalendarResync(fingerprint)
        first = tuple(c.key for c in outdated if c.calendar_hash is None)
        chosen = [uow.lock_cycle(cycle.key) for cycle in outdated]
        report = replan_all(uow.session, reason=command.reason, actor=command.actor.account, now=uow.now,
                            calendar=context.calendar, lineage=lambda scheme_id: load_lineage(scheme_id, schemes_dir), cycles=chosen)
        touched = {c.id: c for root in chosen for c in tree_of(uow.session, root) if c.status == "active"}
        stamp_calendar(list(touched.values()), fingerprint)
        result = CalendarResync(fingerprint, tuple(sorted(c.key for c in touched.values())), first, report)
        record(uow.session, actor=command.actor.account, action="calendar.resynced", subject=fingerprint[:12], at=uow.now,
               detail={"reason": command.reason, **result.to_json()})
        return result


def cycles_to_sync(context: AppContext) -> list[tuple[str, str]]:
    """(key, since as ISO text) of the active cycles whose scheduled runs are out of step with their dates."""
    with context.reading() as session:
        return [(key, since.isoformat()) for key, since in stale_schedules(session)]


def stale_since(context: AppContext, key: str) -> str | None:
    """When the cycle's dates first moved since its last schedule sync (ISO text), or None."""
    with context.reading() as session:
        since = schedule_stale_since(session, key)
        return since.isoformat() if since is not None else None


def mark_synced(context: AppContext, actor: Actor, key: str, seen: str | None) -> bool:
    """Clear the cycle's mark if it is still the one ``seen`` when its sync started (a newer move keeps it)."""
    import datetime as dt

    if seen is None:
        return False
    with context.unit_of_work(actor) as uow:
        return clear_schedule_stale(uow.session, key, dt.datetime.fromisoformat(seen))
