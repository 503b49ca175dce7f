"""The temporary Prefect server that records a driver's runs when no Prefect API is configured.

Without ``PREFECT_API_URL`` Prefect starts a temporary server (its database under PREFECT_HOME) when the
first run opens a client: that client imports the whole server application just to start it, then
waits, blocked, until the server answers (on a fresh PREFECT_HOME it first migrates the database). A
driver that knows it will start runs (the simulation) starts the same server itself, at once, in a
process of its own, does its own set-up meanwhile and waits for it only before the first run. The runs,
their logs and events go to the same database as with Prefect's own temporary server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import prefect
from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

from kaohe.errors import ExternalServiceError

SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",  # the services of Prefect's own temporary server, no more
    "PREFECT__SERVER_FINAL": "1",
    # Block types matter to the UI's Blocks page only. Not registered here, and not marked as registered either
    # (the memo store), so a `prefect server start` on the same PREFECT_HOME registers them as it would have.
    "PREFECT_SERVER_REGISTER_BLOCKS_ON_START": "false",
    "PREFECT_SERVER_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    # Task runs are recorded from their state events in batches (written at the latest every flush interval, 5 s, and
    # when the server stops) instead of one transaction per event; the same rows end up in the database.
    "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "100",
}
STARTUP_FAILED = 3  # uvicorn's exit status when it did not start (a port taken since it was found free, among others)
STARTS = 3
POLL_SECONDS = 0.05


@contextmanager
def temporary_server() -> Iterator[Callable[[], None]]:
    """Within the block, runs go to the configured Prefect API, or, when there is none and Prefect would start a
    temporary server, to one started now in the background. Yields the function to call before the first run: it
    waits until the server answers and points Prefect at it. On exit the logs and events still queued are sent
    and the server is stopped."""
    settings = get_current_settings()
    if settings.api.url or not settings.server.ephemeral.enabled:
        yield lambda: None
        return
    server = _ServerProcess(settings.to_environment_variables(exclude_unset=True), settings.server.ephemeral.startup_timeout_seconds)
    pointed = ExitStack()
    try:
        yield lambda: server.ready(pointed)
    finally:
        try:
            if server.answered:
                _send_what_is_queued()
        finally:
            pointed.close()
            server.stop()


class _ServerProcess:
    """``uvicorn prefect.server.api.server:create_app``, the command behind Prefect's own temporary server."""

    def __init__(self, settings_environment: dict[str, str], timeout: float) -> None:
        self._environment = {**os.environ, **settings_environment, **SERVER_ENVIRONMENT}  # as Prefect starts it
        self._timeout = timeout
        self._process, self.url = self._start()
        self._starts = 1
        self.answered = False

    def _start(self) -> tuple[subprocess.Popen[bytes], str]:
        port = _free_port()
        command = [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent), "--factory",
                   "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "error",
                   "--lifespan", "on"]
        return subprocess.Popen(command, env=self._environment, stdin=subprocess.DEVNULL), f"http://127.0.0.1:{port}/api"

    def ready(self, pointed: ExitStack) -> None:
        """Wait until the server answers, then point Prefect's settings at it until ``pointed`` closes."""
        if self.answered:
            return
        deadline = time.monotonic() + self._timeout
        with httpx.Client(timeout=5) as client:
            while not self._healthy(client):
                status = self._process.poll()
                if status == STARTUP_FAILED and self._starts < STARTS:
                    self._process, self.url = self._start()
                    self._starts += 1
                elif status is not None or time.monotonic() > deadline:
                    reason = f"退出码 {status}" if status is not None else f"{self._timeout:.0f} 秒内没有应答"
                    raise ExternalServiceError(f"Prefect 临时服务未能启动（{reason}）；可设置 PREFECT_API_URL 指向一个运行中的 Prefect 服务")
                time.sleep(POLL_SECONDS)
        pointed.enter_context(temporary_settings(updates={PREFECT_API_URL: self.url}))
        pointed.enter_context(_process_wide())
        self.answered = True

    def _healthy(self, client: httpx.Client) -> bool:
        try:
            return client.get(f"{self.url}/health").status_code == 200
        except httpx.HTTPError:
            return False

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        self._process.terminate()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


@contextmanager
def _process_wide() -> Iterator[None]:
    """The current Prefect settings also for threads started without this context (as prefect_test_harness does)."""
    import prefect.context

    with prefect.context._temporary_global_settings_context(prefect.context.get_settings_context()):
        yield


def _send_what_is_queued() -> None:
    """Send the run logs and events still queued in this process before the server goes away."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all()
    EventsWorker.drain_all()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
