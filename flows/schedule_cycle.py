"""Make every deadline and reminder wave of a cycle a scheduled Prefect run at its instant.

Deployment schedules only reach 100 days ahead, so each instant gets an explicit run of the
``advance-cycle`` deployment, keyed by an idempotency key; running this flow again after the
calendar changed creates the new instants and deletes the runs of instants that no longer exist.
A cycle whose dates moved is marked (kaohe.store.schedule_sync); a sync clears the mark it saw when it began,
and the safety net (advance-all-cycles) runs this flow for every cycle still marked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable

from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    FlowRunFilterTags,
)
from prefect.client.schemas.objects import StateType
from prefect.deployments import arun_deployment

from kaohe.engine.schedule import diff_schedule, run_key
from kaohe.flows.advance_cycle import advance_cycle
from kaohe.flows.run_log import advance_title, beijing, run_log, schedule_run_name
from kaohe.services import current_context, queries
from kaohe.tasks.schedule_sync import clear_mark, read_mark

ADVANCE_DEPLOYMENT = "advance-cycle/advance-cycle"
PAGE = 200  # the server refuses larger pages


@task(name="compute-cycle-instants")
def compute_instants(cycle_key: str) -> list[dt.datetime]:
    """Every instant the cycle must be advanced at, from the stored stages and obligations."""
    return queries.cycle_instants(current_context(), cycle_key)


@task(name="read-scheduled-runs", retries=2, retry_delay_seconds=5)
async def read_scheduled(cycle_key: str) -> dict[str, str]:
    """Idempotency key → flow-run id of the cycle's runs that are still scheduled."""
    found: dict[str, str] = {}
    async with get_client() as client:
        while True:
            page = await client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    tags=FlowRunFilterTags(all_=[f"cycle:{cycle_key}"]),
                    state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])),
                ),
                deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["advance-cycle"])),
                limit=PAGE, offset=len(found),
            )
            found.update({run.idempotency_key or str(run.id): str(run.id) for run in page})
            if len(page) < PAGE:
                return found


@task(name="create-advance-run", retries=2, retry_delay_seconds=5)
async def create_run(cycle_key: str, instant: dt.datetime) -> str:
    """One scheduled run of advance-cycle at ``instant`` (idempotent by key)."""
    run = await arun_deployment(
        ADVANCE_DEPLOYMENT, parameters={"cycle": cycle_key, "as_of": beijing(instant).isoformat()}, scheduled_time=instant,
        timeout=0, idempotency_key=run_key(cycle_key, instant), tags=[f"cycle:{cycle_key}", "kaohe"],
        flow_run_name=advance_title(cycle_key, instant),
    )
    return str(run.id)


@task(name="delete-stale-run", retries=2, retry_delay_seconds=5)
async def delete_run(run_id: str) -> None:
    """Remove a scheduled run whose instant the calendar no longer has."""
    from uuid import UUID

    async with get_client() as client:
        await client.delete_flow_run(UUID(run_id))


@flow(name="schedule-cycle", flow_run_name=schedule_run_name)
async def schedule_cycle(cycle: str, now: dt.datetime | None = None) -> dict[str, object]:
    """Bring the server's scheduled advance runs of ``cycle`` in step with its calendar; say what it did.

    When the calendar has no instant after ``now`` (a cycle created late, or run again after its last
    deadline), no run can be scheduled: the cycle is advanced once to ``now`` instead, and the report says so.
    """
    instant = beijing(now) if now is not None else beijing(dt.datetime.now(dt.timezone.utc))
    log = run_log()
    mark = read_mark(cycle)
    instants = compute_instants(cycle)
    scheduled = await read_scheduled(cycle)
    diff = diff_schedule(cycle, instants, scheduled, now=instant)
    limit = asyncio.Semaphore(8)

    async def bounded(call: Awaitable[object]) -> None:
        async with limit:
            await call

    await asyncio.gather(*(bounded(create_run(cycle, i)) for i in diff.create),
                         *(bounded(delete_run(r)) for r in diff.delete))
    report: dict[str, object] = {"created": len(diff.create), "deleted": len(diff.delete), "kept": diff.keep}
    if diff.create:
        first, last = beijing(min(diff.create)), beijing(max(diff.create))
        report["reason"] = f"新建{len(diff.create)}次预定推进运行（{first:%Y-%m-%d %H:%M} 至 {last:%Y-%m-%d %H:%M}）"
    elif diff.keep:
        report["reason"] = f"未新建运行：今后的{diff.keep}个时刻都已有预定运行"
    else:
        outcome = await advance_cycle(cycle, as_of=instant)
        report["advanced_to"] = outcome["as_of"]
        report["reason"] = (f"未新建运行：周期的{len(instants)}个截止与提醒时刻都已过去（{instant:%Y-%m-%d %H:%M} 之前），"
                            f"已改为把周期推进到当前时刻一次")
    if clear_mark(cycle, mark):
        report["synced_after_change"] = mark
    log.info("周期 %s：%s；删除%s次过时的运行", cycle, report["reason"], len(diff.delete))
    return report
