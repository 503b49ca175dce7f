"""prefect.yaml: every entrypoint is a flow, and `prefect deploy --all` registers every deployment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prefect.flows import Flow, load_flow_from_entrypoint

from kaohe.settings import PROJECT_ROOT

PREFECT_YAML = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = PREFECT_YAML["deployments"]


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=lambda d: d["name"])
def test_every_entrypoint_is_a_flow(deployment: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    monkeypatch.chdir(PROJECT_ROOT)
    loaded = load_flow_from_entrypoint(deployment["entrypoint"])
    assert isinstance(loaded, Flow)
    assert deployment["enforce_parameter_schema"] is True
    assert deployment["work_pool"]["name"] == "kaohe"


def test_schedules_are_in_beijing_time() -> None:
    for deployment in DEPLOYMENTS:
        for schedule in deployment.get("schedules", []):
            assert schedule["timezone"] == "Asia/Shanghai"


def _prefect(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("prefect")
    return subprocess.run([str(exe), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=240)


def test_prefect_deploy_all_registers_every_deployment(prefect_harness: None) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "KAOHE_PROJECT_DIR": str(PROJECT_ROOT)}
    pool = _prefect(["work-pool", "create", "kaohe", "--type", "process", "--overwrite"], env)
    assert pool.returncode == 0, pool.stdout + pool.stderr
    deployed = _prefect(["--no-prompt", "deploy", "--all"], env)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    async def names() -> set[str]:
        async with get_client() as client:
            return {d.name for d in await client.read_deployments()}

    assert {d["name"] for d in DEPLOYMENTS} <= asyncio.run(names())
