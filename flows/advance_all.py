"""The safety net: advance every active cycle to the scheduled instant (catches up after downtime)."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from sqlalchemy import select

from kaohe.db import ensure_schema, session_scope
from kaohe.flows.advance_cycle import advance_cycle
from kaohe.flows.run_log import advance_all_run_name, beijing, run_log, scheduled_instant
from kaohe.models import Cycle
from kaohe.settings import get_settings


@task(name="list-active-cycles")
def list_active_cycles() -> list[str]:
    """Keys of the cycles still running."""
    url = get_settings().effective_database_url
    ensure_schema(url)
    with session_scope(url) as session:
        return list(session.scalars(select(Cycle.key).where(Cycle.status == "active").order_by(Cycle.key)))


@flow(name="advance-all-cycles", flow_run_name=advance_all_run_name)
async def advance_all_cycles(as_of: dt.datetime | None = None) -> list[dict[str, object]]:
    """Advance each active cycle in turn (sequentially: cycles are few, and SQLite prefers one writer)."""
    instant = beijing(as_of) if as_of is not None else scheduled_instant()
    keys = list_active_cycles()
    run_log().info("推进 %s 个进行中的周期到 %s：%s", len(keys), f"{instant:%Y-%m-%d %H:%M}", "、".join(keys) or "无")
    return [await advance_cycle(key, as_of=instant) for key in keys]
