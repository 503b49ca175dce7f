"""The safety net: advance every active cycle to the scheduled instant (catches up after downtime).

Before advancing it keeps the cycles in step: a holiday table changed since a cycle's dates were resolved
(its stored calendar fingerprint differs) re-plans that cycle's tree, and every cycle whose dates moved —
by that re-plan, an extension that cascaded, ``kaohe cycle replan`` — gets its scheduled runs synced
(``schedule-cycle``), so no one has to remember to run it.
"""

from __future__ import annotations

import datetime as dt

from prefect import flow, task

from kaohe.flows.advance_cycle import advance_cycle
from kaohe.flows.run_log import advance_all_run_name, beijing, run_log, scheduled_instant
from kaohe.flows.schedule_cycle import schedule_cycle
from kaohe.services import current_context
from kaohe.services.queries import active_cycles
from kaohe.tasks.schedule_sync import check_calendar, list_cycles_to_sync


@task(name="list-active-cycles")
def list_active_cycles() -> list[str]:
    """Keys of the cycles still running."""
    return active_cycles(current_context())


@flow(name="advance-all-cycles", flow_run_name=advance_all_run_name)
async def advance_all_cycles(as_of: dt.datetime | None = None) -> list[dict[str, object]]:
    """Advance each active cycle in turn (sequentially: cycles are few, and SQLite prefers one writer)."""
    instant = beijing(as_of) if as_of is not None else scheduled_instant()
    log = run_log()
    calendar = check_calendar()
    if calendar["replanned"]:
        log.info("节假日安排有变（%s）：重新排期 %s；日期变动 %s", str(calendar["fingerprint"])[:12],
                 "、".join(calendar["replanned"]), calendar["moved"] or "无")  # type: ignore[arg-type]
    for key in list_cycles_to_sync():
        try:
            synced = await schedule_cycle(key, now=instant)
            log.info("周期 %s 的日期有变，已同步预定运行：%s", key, synced.get("reason"))
        except Exception as error:  # noqa: BLE001 - the mark stays: the next safety-net run tries again
            log.warning("周期 %s 的预定运行未能同步（下次安全网运行时重试）：%s", key, error)
    keys = list_active_cycles()
    log.info("推进 %s 个进行中的周期到 %s：%s", len(keys), f"{instant:%Y-%m-%d %H:%M}", "、".join(keys) or "无")
    return [await advance_cycle(key, as_of=instant) for key in keys]
