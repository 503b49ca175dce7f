"""The flow that advances a cycle to an instant: the safety net that runs on a schedule, and the
flow behind every scheduled deadline and reminder wave."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from kaohe.flows.aggregation_stage import start_results_work
from kaohe.flows.stage_work import start_stage_work
from kaohe.tasks.advance import record_advance
from kaohe.tasks.dispatch import dispatch_outbox


def scheduled_instant() -> dt.datetime:
    """The run's scheduled start (so a late run or a retry computes the same thing), else now."""
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    if scheduled is None:
        return dt.datetime.now(dt.timezone.utc)
    return dt.datetime.fromtimestamp(scheduled.timestamp(), dt.timezone.utc)


@flow(name="advance-cycle", retries=1, retry_delay_seconds=30)
async def advance_cycle(cycle: str, as_of: dt.datetime | None = None) -> dict[str, object]:
    """Bring ``cycle`` to ``as_of`` (default: the run's scheduled time): stages, overdue marks, reminders sent."""
    instant = as_of or scheduled_instant()
    if instant.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (a naive time would be read as UTC)")
    state = record_advance(cycle, instant)
    opened, closed = list(state["opened_stages"]), list(state["closed_stages"])  # type: ignore[call-overload]
    work = await start_stage_work(cycle, opened, closed, instant)
    work += await start_results_work(cycle, opened, closed, instant)
    sent = await dispatch_outbox(int(state["cycle_id"]), instant)  # type: ignore[call-overload]
    return {"cycle": cycle, "as_of": instant.isoformat(), **state, "stage_work": work, "dispatch": sent}
