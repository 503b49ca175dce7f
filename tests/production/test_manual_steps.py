"""The README's manual steps, pasted in order into bash, against a real `prefect server start`.

This is also the scheduler's canary: the server's scheduler must create runs of ``advance-all-cycles``
from prefect.yaml's cron schedule. With SQLAlchemy 2.1 (prefect 3.8.8) it logs "Can't evaluate bulk DML
statement" and creates none, so a dependency bump that breaks the scheduler fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterName,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import LogSort
from production_support import Session, free_port, production_env, wait_until

from kaohe.settings import PROJECT_ROOT
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

pytestmark = pytest.mark.prefect
README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
DEPLOYMENTS = {d["name"] for d in yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]}


def manual_steps(port: int) -> str:
    """The bash block that follows "Local server and a process worker" in the README, on ``port``."""
    section = README[README.index("Local server and a process worker"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "the README lost its manual steps"
    return block.group(1).replace("4200", str(port))


async def _runs(api: str, flow: str, states: list[StateType] | None = None) -> list[FlowRun]:
    async with PrefectClient(api) as client:
        return await client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=states))) if states else None,
        )


async def _info_lines(api: str, run: FlowRun) -> list[str]:
    async with PrefectClient(api) as client:
        logs = await client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])), sort=LogSort.TIMESTAMP_ASC)
    return [log.message for log in logs if log.level == 20]


def test_the_readme_steps_bring_up_server_worker_deployments_and_the_scheduler(tmp_path: Path) -> None:
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    # job control on, as in the terminal the steps are pasted into; any failing line is reported
    script = "set -m\ntrap 'echo \"FAILED: $BASH_COMMAND\"' ERR\n" + manual_steps(port)
    with LocalSmtpReceiver() as smtp, LocalWebhookReceiver() as hooks:
        receivers = {"KAOHE_SMTP_HOST": smtp.host, "KAOHE_SMTP_PORT": str(smtp.port),
                     **{f"KAOHE_{k.upper()}": v for k, v in hooks.settings_overrides().items()}}
        steps = Session(["bash", "-c", script], production_env(tmp_path, **receivers), tmp_path / "steps.log")
        try:
            assert steps.process.wait(timeout=600) == 0, steps.output()
            printed = steps.output(100_000)
            assert "FAILED:" not in printed, printed[-4000:]

            async def names() -> set[str]:
                async with PrefectClient(api) as client:
                    return {d.name for d in await client.read_deployments()}

            assert wait_until(names, timeout=30, what="deployments") >= DEPLOYMENTS

            async def scheduled() -> list[FlowRun]:
                async with PrefectClient(api) as client:
                    return await client.read_flow_runs(
                        deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["advance-all-cycles"])),
                        flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
                    )

            safety_net = wait_until(scheduled, timeout=120, what="the scheduler to create advance-all-cycles runs")
            for run in safety_net:
                assert run.expected_start_time is not None
                beijing = run.expected_start_time.astimezone(ZoneInfo("Asia/Shanghai"))
                assert beijing.minute in (0, 30) and beijing.second == 0  # cron */30 in Asia/Shanghai

            schedule = wait_until(lambda: _runs(api, "schedule-cycle", [StateType.COMPLETED]), timeout=30, what="schedule-cycle")
            assert [run.name for run in schedule] == ["schedule mile-2018"]
            lines = wait_until(lambda: _info_lines(api, schedule[0]), timeout=30, what="the schedule-cycle run's log")
            assert any("都已过去" in line and "推进到当前时刻一次" in line for line in lines), lines

            advance = wait_until(lambda: _runs(api, "advance-cycle", [StateType.COMPLETED]), timeout=30, what="advance-cycle")
            assert len(advance) == 1 and re.fullmatch(r"advance mile-2018 · 20\d\d-\d\d-\d\d \d\d:\d\d", advance[0].name), advance
            lines = wait_until(lambda: _info_lines(api, advance[0]), timeout=30, what="the advance run's log")
            assert "周期 mile-2018：阶段 self_check 截止" in lines, lines  # caught up from 2018: every stage closes
            assert any(line.startswith("周期 mile-2018：提醒已发送 ") for line in lines), lines
            assert smtp.mails, "the worker's advance run sent no e-mail"
            assert "周期 mile-2018：阶段" not in printed  # kaohe's lines went to the run logs, not to the terminal
        finally:
            steps.stop(grace=10)
        assert steps.alive() == [], "server or worker outlived the test"
