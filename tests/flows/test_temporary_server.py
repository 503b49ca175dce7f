"""The temporary Prefect server a driver starts itself: runs, their tasks and log lines end up in PREFECT_HOME's
database as with Prefect's own temporary server, and the server is gone when the block ends."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from kaohe.settings import PROJECT_ROOT

pytestmark = pytest.mark.prefect

DRIVER = """
import asyncio, json, sys
from prefect import flow, task
from prefect.settings import PREFECT_API_URL
from kaohe.flows.run_log import run_log
from kaohe.flows.temporary_server import temporary_server

@task(name="count-units")
def count_units(cycle: str) -> int:
    run_log().info("周期 %s：共 3 个单位", cycle)
    return 3

@flow(name="count-cycle", flow_run_name="count {cycle}")
async def count_cycle(cycle: str) -> int:
    return count_units(cycle)

with temporary_server() as ready:
    ready()
    url = PREFECT_API_URL.value()
    counted = asyncio.run(count_cycle("mile-2018"))
json.dump({"url": url, "counted": counted}, sys.stdout)
"""


def _rows(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(query).fetchall()


def test_runs_without_a_configured_api_are_recorded_under_prefect_home_and_the_server_stops(tmp_path: Path) -> None:
    home = tmp_path / "prefect"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="300")
    done = subprocess.run([sys.executable, "-c", DRIVER], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    answer = json.loads(done.stdout)
    assert answer["counted"] == 3
    database = home / "prefect.db"
    assert _rows(database, "SELECT name, state_type FROM flow_run") == [("count mile-2018", "COMPLETED")]
    assert [state for _, state in _rows(database, "SELECT name, state_type FROM task_run")] == ["COMPLETED"]
    assert ("周期 mile-2018：共 3 个单位",) in _rows(database, "SELECT message FROM log")  # sent before the server stopped
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{answer['url']}/health", timeout=5)


def test_a_configured_api_is_used_as_it_is(prefect_harness: None) -> None:
    from prefect.settings import PREFECT_API_URL

    from kaohe.flows.temporary_server import temporary_server

    configured = PREFECT_API_URL.value()
    with temporary_server() as ready:
        ready()
        assert PREFECT_API_URL.value() == configured
