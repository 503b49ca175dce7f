"""schedule-cycle: every wave of a cycle becomes a scheduled Prefect run, kept in step with the calendar."""

from __future__ import annotations

import asyncio
import datetime as dt

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.engine.schedule import diff_schedule, run_key
from kaohe.flows.advance_cycle import advance_cycle
from kaohe.flows.schedule_cycle import schedule_cycle
from kaohe.planning import end_of_day
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import extend


async def _runs(key: str) -> dict[str, dt.datetime]:
    async with get_client() as client:
        runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[f"cycle:{key}"])), limit=200)
    return {run.idempotency_key: run.expected_start_time for run in runs}  # type: ignore[misc]


def test_waves_become_scheduled_runs_and_follow_a_deadline_change(make_cycle, flow_env) -> None:  # type: ignore[no-untyped-def]
    async def register() -> None:
        deployment = await advance_cycle.to_deployment(name="advance-cycle")
        await deployment.apply()

    asyncio.run(register())
    key = make_cycle()
    now = dt.datetime(2019, 1, 10, 12, tzinfo=BEIJING)
    first = asyncio.run(schedule_cycle(key, now=now))
    runs = asyncio.run(_runs(key))
    assert first["created"] == len(runs) > 0 and first["deleted"] == 0
    assert run_key(key, dt.datetime(2019, 1, 16, 9, tzinfo=BEIJING)) in runs  # the first "upcoming" wave after now
    for idempotency_key, expected in runs.items():
        assert expected is not None and expected > now
    again = asyncio.run(schedule_cycle(key, now=now))
    assert again == {"created": 0, "deleted": 0, "kept": len(runs), "reason": f"未新建运行：今后的{len(runs)}个时刻都已有预定运行"}

    with session_scope(flow_env) as session:
        extend(session, get_cycle(session, key), "self_check", end_of_day(dt.date(2019, 2, 1)), unit_codes=None,
               reason="全体延期", actor="coordinator", now=now)
    moved = asyncio.run(schedule_cycle(key, now=now))
    assert moved["created"] > 0 and moved["deleted"] > 0
    after = asyncio.run(_runs(key))
    assert run_key(key, dt.datetime(2019, 2, 1, 9, tzinfo=BEIJING)) in after  # due_today of the new date


def test_a_cycle_whose_instants_are_all_past_is_advanced_once_to_now_instead(make_cycle, flow_env) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle(2018)
    now = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.timezone.utc)
    report = asyncio.run(schedule_cycle(key, now=now))
    assert report["created"] == 0 and report["kept"] == 0
    assert report["advanced_to"] == "2026-12-01T08:30:00+08:00"
    assert "都已过去" in str(report["reason"]) and "推进到当前时刻" in str(report["reason"])
    assert asyncio.run(_runs(key)) == {}
    with session_scope(flow_env) as session:
        assert get_cycle(session, key).advanced_to == now


def test_diff_only_schedules_the_future() -> None:
    now = dt.datetime(2019, 1, 20, tzinfo=dt.timezone.utc)
    past, future = now - dt.timedelta(days=1), now + dt.timedelta(days=1)
    stale = {run_key("c", now + dt.timedelta(days=5)): "run-1"}
    diff = diff_schedule("c", [past, future], stale, now=now)
    assert diff.create == (future,) and diff.delete == ("run-1",) and diff.keep == 0
