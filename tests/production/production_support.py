"""Helpers for tests that run kaohe as in production: real `prefect server start`, real workers.

Every process a test starts runs in a session of its own; :meth:`Session.stop` ends every process left
in that session (server, uvicorn, worker, flow-run subprocesses), so nothing outlives the test.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from kaohe.settings import PROJECT_ROOT

T = TypeVar("T")
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def production_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh installation under ``home``: its own PREFECT_HOME and KAOHE_HOME."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "KAOHE_")) and k not in {"PYTEST_CURRENT_TEST", "VIRTUAL_ENV"}}
    env.update({
        "PREFECT_HOME": str(home / "prefect"), "KAOHE_HOME": str(home / "kaohe"), "KAOHE_PROJECT_DIR": str(PROJECT_ROOT),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "2",
        "PREFECT_SERVER_UI_ENABLED": "false",
    })
    env.update(extra)
    return env


def session_pids(sid: int) -> list[int]:
    """Every live process of session ``sid`` (zombies excluded)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) != sid:
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        if state != "Z":
            pids.append(int(entry.name))
    return pids


class Session:
    """A command started in a new session, with its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, cwd: Path = PROJECT_ROOT) -> None:
        self.log = log
        self._out = log.open("wb")
        self.process = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        self.sid = self.process.pid

    def output(self, tail: int = 4000) -> str:
        """The last ``tail`` characters the session printed."""
        return self.log.read_text(encoding="utf-8", errors="replace")[-tail:]

    def alive(self) -> list[int]:
        """Processes still running in the session."""
        return session_pids(self.sid)

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM every process of the session, then SIGKILL what is left after ``grace`` seconds."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            for pid in self.alive():
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while self.alive() and time.monotonic() < deadline:
                self.process.poll()
                time.sleep(0.2)
            if not self.alive():
                break
        self.process.poll()
        self._out.close()


def wait_until(check: Callable[[], Awaitable[T | None]], *, timeout: float, what: str, every: float = 0.25) -> T:
    """Call ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""

    async def loop() -> T:
        deadline = time.monotonic() + timeout
        while True:
            try:
                found = await check()
            except Exception as error:  # noqa: BLE001 - the server may not answer yet
                found, last = None, error
            else:
                last = None
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last error: {last!r})")
            await asyncio.sleep(every)

    return asyncio.run(loop())
