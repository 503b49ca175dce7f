"""The README's portal command, as a user runs it: after the demo simulation, ``kaohe web --demo`` in its own
process on a free port prints an account per role; each logs in over HTTP and reaches its pages; the server
stops on SIGTERM. The simulation is the session's (tests/conftest.py ``mile_simulation``), copied first."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_server import free_port
from web_support import csrf_of

pytestmark = pytest.mark.prefect
ACCOUNT = re.compile(r"演示账号\s+(\S+)\s+登录名 (\S+)\s+密码 (\S+)")
ADDRESS = re.compile(r"考核工作门户：(http://127\.0\.0\.1:\d+/)")


@pytest.fixture
def demo(mile_simulation: tuple[dict[str, Any], Path], tmp_path: Path) -> Iterator[tuple[str, dict[str, tuple[str, str]], str]]:
    """``kaohe web --demo --workdir COPY --port P`` running: its address, {role: (login, password)}, what it printed."""
    workdir = tmp_path / "simulation"
    shutil.copytree(mile_simulation[1], workdir)
    command = [str(Path(sys.executable).parent / "kaohe"), "web", "--demo", "--workdir", str(workdir), "--port", str(free_port())]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    printed: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 90
        while not any(ADDRESS.search(line) for line in printed):
            line = process.stdout.readline()
            if not line and process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("kaohe web --demo did not start:\n" + "".join(printed))
            printed.append(line)
        text = "".join(printed)
        found = ADDRESS.search(text)
        assert found
        base = found.group(1).rstrip("/")
        while True:  # the address is printed just before uvicorn binds the port
            try:
                httpx.get(f"{base}/login", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("kaohe web --demo never answered:\n" + text)
                time.sleep(0.1)
        yield base, {role: (name, password) for role, name, password in ACCOUNT.findall(text)}, text
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail("kaohe web --demo did not stop on SIGTERM")


def _login(base: str, name: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    answer = client.post("/login", data={"name": name, "password": password, "csrf_token": csrf_of(client, "/login")})
    assert answer.status_code == 303, answer.text[:300]
    return client


def test_kaohe_web_demo_prints_an_account_per_role_that_logs_in(demo: tuple[str, dict[str, tuple[str, str]], str]) -> None:
    base, accounts, printed = demo
    assert set(accounts) == {"admin", "coordinator", "leader", "unit", "verifier", "lead_assessor", "evaluator"}, printed
    assert "门户时钟自 2019-" in printed  # the portal shows the cycle as the simulation left it

    coordinator = _login(base, *accounts["coordinator"])
    cycles = coordinator.get("/cycles")
    assert cycles.status_code == 200 and "mile-2018" in cycles.text
    key = re.search(r'href="/cycles/([^"/]+)"', cycles.text)
    assert key
    board = coordinator.get(f"/cycles/{key.group(1)}")
    assert board.status_code == 200 and 'id="timeline"' in board.text and "自查自评" in board.text

    unit = _login(base, *accounts["unit"])
    tasks = unit.get("/tasks")
    assert tasks.status_code == 200 and "自查自评" in tasks.text
    assert unit.get("/cycles").status_code == 403
    wrong = httpx.Client(base_url=base, follow_redirects=False, timeout=30)
    refused = wrong.post("/login", data={"name": accounts["admin"][0], "password": "not-the-password",
                                          "csrf_token": csrf_of(wrong, "/login")})
    assert refused.status_code != 303
