"""Which cycles' scheduled Prefect runs are out of step with their dates, and which cycles' dates were resolved
with another working-day calendar than the one in force.

A cycle is marked ``schedule_stale_since`` whenever its dates move (a deadline extended or overridden, a
cascade re-plan from its parent or from a new holiday table, a supervision order issued with its own deadline); ``schedule-cycle`` clears the mark once it
has synced the runs — unless the dates moved again meanwhile, so a change is never lost. The safety net
(``advance-all-cycles``) syncs every marked cycle on its next run.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kaohe.models import Cycle


def mark_schedule_stale(cycle: Cycle, now: dt.datetime) -> None:
    """Note that the cycle's dates moved at ``now`` (keeps the earliest unsynced change)."""
    if cycle.schedule_stale_since is None:
        cycle.schedule_stale_since = now


def stale_schedules(session: Session) -> list[tuple[str, dt.datetime]]:
    """(key, since) of every active cycle whose scheduled runs must be synced, by key."""
    rows = session.execute(select(Cycle.key, Cycle.schedule_stale_since).where(
        Cycle.status == "active", Cycle.schedule_stale_since.is_not(None)).order_by(Cycle.key)).all()
    return [(key, since) for key, since in rows if since is not None]


def schedule_stale_since(session: Session, key: str) -> dt.datetime | None:
    """When the cycle's dates first moved since its last sync (None: in step, or no such cycle)."""
    return session.scalar(select(Cycle.schedule_stale_since).where(Cycle.key == key))


def clear_schedule_stale(session: Session, key: str, seen: dt.datetime | None) -> bool:
    """Clear the mark if it is still the one ``seen`` when the sync started; whether it was cleared."""
    if seen is None:
        return False
    result = session.execute(update(Cycle).where(Cycle.key == key, Cycle.schedule_stale_since == seen)
                             .values(schedule_stale_since=None), execution_options={"synchronize_session": False})
    return bool(getattr(result, "rowcount", 0))


def calendar_outdated(session: Session, fingerprint: str) -> list[Cycle]:
    """The active cycles whose dates were resolved with another calendar (or an unknown one), by key."""
    return list(session.scalars(select(Cycle).where(
        Cycle.status == "active", (Cycle.calendar_hash.is_(None)) | (Cycle.calendar_hash != fingerprint)).order_by(Cycle.key)))
