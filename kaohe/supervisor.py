"""Child processes that start together and stop together (what ``kaohe serve`` runs).

Each child runs in a process group of its own, so a signal reaches the child and everything it started
(the Prefect server's uvicorn, a worker's flow-run subprocesses). Stopping sends SIGTERM to each group in
the reverse order of starting (workers before the server they talk to), waits, and kills what is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Child:
    """One started command."""

    name: str
    process: subprocess.Popen[bytes]

    @property
    def pgid(self) -> int:
        """Its process group (the same number as its pid)."""
        return self.process.pid

    def group_alive(self) -> bool:
        """Whether any process of its group still runs (zombies aside)."""
        self.process.poll()
        try:
            os.killpg(self.pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return any(_pgid(pid) == self.pgid for pid in _live_pids())


@dataclass
class Supervisor:
    """Starts children in their own process groups and stops them all, newest first."""

    env: Mapping[str, str]
    cwd: Path
    children: list[Child] = field(default_factory=list)

    def start(self, name: str, args: Sequence[str], log: Path | None = None) -> Child:
        """Start ``args`` as a new process group; its output goes to ``log`` (else inherited)."""
        out = log.open("ab") if log is not None else None
        try:
            process = subprocess.Popen(list(args), cwd=self.cwd, env=dict(self.env), stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT if out else None, process_group=0)
        finally:
            if out is not None:
                out.close()
        child = Child(name, process)
        self.children.append(child)
        return child

    def exited(self) -> Child | None:
        """The first child whose main process has ended, if any."""
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM each group, newest first, waiting up to ``grace`` seconds for each; then SIGKILL leftovers."""
        for child in reversed(self.children):
            _signal_group(child, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while child.group_alive() and time.monotonic() < deadline:
                time.sleep(0.1)
            if child.group_alive():
                _signal_group(child, signal.SIGKILL)
            try:
                child.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass


def _signal_group(child: Child, sig: signal.Signals) -> None:
    try:
        os.killpg(child.pgid, sig)
    except ProcessLookupError:
        pass


def _live_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if state != "Z":
                pids.append(int(entry.name))
    return pids


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None
