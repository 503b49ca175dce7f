"""The safety net: advance every active cycle to the scheduled instant (catches up after downtime)."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from sqlalchemy import select

from kaohe.db import ensure_schema, session_scope
from kaohe.flows.advance_cycle import advance_cycle, scheduled_instant
from kaohe.models import Cycle
from kaohe.settings import get_settings


@task(name="list-active-cycles")
def list_active_cycles() -> list[str]:
    """Keys of the cycles still running."""
    url = get_settings().effective_database_url
    ensure_schema(url)
    with session_scope(url) as session:
        return list(session.scalars(select(Cycle.key).where(Cycle.status == "active").order_by(Cycle.key)))


@flow(name="advance-all-cycles")
async def advance_all_cycles(as_of: dt.datetime | None = None) -> list[dict[str, object]]:
    """Advance each active cycle in turn (sequentially: cycles are few, and SQLite prefers one writer)."""
    instant = as_of or scheduled_instant()
    return [await advance_cycle(key, as_of=instant) for key in list_active_cycles()]
