"""The flow that advances a cycle to an instant: the safety net that runs on a schedule, and the
flow behind every scheduled deadline and reminder wave."""

from __future__ import annotations

import datetime as dt

from prefect import flow

from kaohe.dispatch import DispatchReport
from kaohe.flows.aggregation_stage import start_results_work
from kaohe.flows.run_log import advance_run_name, beijing, run_log, scheduled_instant
from kaohe.flows.stage_work import start_stage_work
from kaohe.tasks.advance import record_advance
from kaohe.tasks.dispatch import dispatch_outbox

__all__ = ["advance_cycle", "scheduled_instant"]

NOTHING_DUE: dict[str, object] = {**DispatchReport().to_json(), "sealed": 0, "skipped": "nothing due"}


@flow(name="advance-cycle", flow_run_name=advance_run_name, retries=1, retry_delay_seconds=30)
async def advance_cycle(cycle: str, as_of: dt.datetime | None = None) -> dict[str, object]:
    """Bring ``cycle`` to ``as_of`` (default: the run's scheduled time): stages, overdue marks, reminders sent."""
    if as_of is not None and as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (a naive time would be read as UTC)")
    instant = beijing(as_of) if as_of is not None else scheduled_instant()
    log = run_log()
    state = record_advance(cycle, instant)
    opened, closed = list(state["opened_stages"]), list(state["closed_stages"])  # type: ignore[call-overload]
    for key in opened:
        log.info("周期 %s：阶段 %s 开始", cycle, key)
    for key in closed:
        log.info("周期 %s：阶段 %s 截止", cycle, key)
    if state["overdue"]:
        log.info("周期 %s：%s 项应办事项逾期", cycle, state["overdue"])
    log.info("周期 %s 推进到 %s：提醒入队 %s 条", cycle, f"{instant:%Y-%m-%d %H:%M}", state["queued"])
    work = await start_stage_work(cycle, opened, closed, instant, unsent=list(state["unsent_reviews"]))  # type: ignore[call-overload]
    work += await start_results_work(cycle, opened, closed, instant)
    for line in work:
        log.info("周期 %s：%s", cycle, line)
    if not (opened or closed or work or state["dispatch_due"]):
        # provably nothing to send, recover or seal (record-advance checked after recording): no dispatch-outbox run
        log.info("周期 %s：没有到期、待恢复或待记录的提醒，本次不发送", cycle)
        return {"cycle": cycle, "as_of": instant.isoformat(), **state, "stage_work": work, "dispatch": NOTHING_DUE}
    sent = await dispatch_outbox(int(state["cycle_id"]), instant)  # type: ignore[call-overload]
    log.info("周期 %s：提醒已发送 %s 条，失败 %s 条，待重试 %s 条", cycle, sent["sent"], sent["failed"], sent["retrying"])
    if sent["failed"]:
        log.warning("周期 %s：%s 条提醒发送失败，见 kaohe status %s", cycle, sent["failed"], cycle)
    return {"cycle": cycle, "as_of": instant.isoformat(), **state, "stage_work": work, "dispatch": sent}
