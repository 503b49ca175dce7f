"""The generation of each unit's calendar subscription address (see ``kaohe.links.calendar_feed_token``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.errors import NotFoundError
from kaohe.models import CalendarFeed, Unit
from kaohe.store.audit import record

FIRST_GENERATION = 1


def feed_generation(session: Session, unit_code: str) -> int:
    """The current generation of the unit's subscription address (1 until it is first rotated)."""
    row = session.get(CalendarFeed, unit_code)
    return row.generation if row is not None else FIRST_GENERATION


def unit_exists(session: Session, unit_code: str) -> bool:
    """Whether any cycle's roster has the unit ``unit_code``."""
    return session.scalar(select(Unit.id).where(Unit.code == unit_code).limit(1)) is not None


def rotate_feed(session: Session, unit_code: str, *, by: str, now: dt.datetime, detail: dict[str, object] | None = None) -> int:
    """Retire the unit's subscription address: the generation counts up (audited); returns the new generation."""
    if not unit_exists(session, unit_code):
        raise NotFoundError(f"没有单位 {unit_code}")
    row = session.get(CalendarFeed, unit_code)
    if row is None:
        row = CalendarFeed(unit_code=unit_code, generation=FIRST_GENERATION, rotated_at=now, rotated_by=by)
        session.add(row)
    row.generation, row.rotated_at, row.rotated_by = row.generation + 1, now, by
    session.flush()
    record(session, actor=by, action="calendar.token_rotated", subject=f"calendar:{unit_code}", at=now,
           detail={"generation": row.generation, **(detail or {})})
    return int(row.generation)
