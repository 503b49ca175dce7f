"""Runs a person can read: names with the cycle and the Beijing instant, kaohe's lines in the run's log."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from uuid import UUID

from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.client.schemas.sorting import LogSort

from kaohe.clock import BEIJING
from kaohe.flows.advance_cycle import advance_cycle
from kaohe.flows.run_log import advance_title, beijing


async def _run_and_logs(run_id: UUID, expect: str) -> tuple[str, list[tuple[int, str]]]:
    """The run's name and its log lines (waiting until ``expect`` arrived: logs are sent in batches)."""
    async with get_client() as client:
        run = await client.read_flow_run(run_id)
        deadline = time.monotonic() + 60
        while True:
            logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])), sort=LogSort.TIMESTAMP_ASC)
            lines = [(log.level, log.message) for log in logs]
            if any(expect in message for _, message in lines) or time.monotonic() > deadline:
                return run.name, lines
            await asyncio.sleep(0.1)


def test_an_advance_run_is_named_for_its_cycle_and_instant_and_logs_what_it_did(make_cycle, capfd) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle()
    utc_instant = dt.datetime(2018, 12, 3, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 in Beijing
    state = asyncio.run(advance_cycle(key, as_of=utc_instant, return_state=True))
    result = state.result()
    assert result["as_of"] == "2018-12-03T09:00:00+08:00"
    name, lines = asyncio.run(_run_and_logs(state.state_details.flow_run_id, "提醒已发送"))
    assert name == f"advance {key} · 2018-12-03 09:00"
    info = [message for level, message in lines if level == 20]
    assert f"周期 {key}：阶段 self_check 开始" in info
    assert any(message.startswith(f"周期 {key} 推进到 2018-12-03 09:00：提醒入队 ") and not message.endswith(" 0 条")
               for message in info)
    assert any(message.startswith(f"周期 {key}：提醒已发送 ") for message in info)
    printed = capfd.readouterr()
    assert "周期" not in printed.err and "周期" not in printed.out  # the console stays quiet


def test_names_and_instants_are_beijing_time_whatever_offset_comes_in() -> None:
    instant = dt.datetime(2019, 1, 23, 1, 0, tzinfo=dt.timezone.utc)
    assert advance_title("mile-2018", instant) == "advance mile-2018 · 2019-01-23 09:00"
    assert beijing("2019-01-23T01:00:00+00:00") == dt.datetime(2019, 1, 23, 9, 0, tzinfo=BEIJING)
    assert beijing(instant).utcoffset() == dt.timedelta(hours=8)
