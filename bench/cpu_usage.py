"""CPU seconds spent during a benchmark run: by the PostgreSQL backends of one database, and by the whole machine.

Linux only (``/proc``). A backend's CPU is read from ``/proc/<pid>/stat`` every ``interval`` seconds while the
run lasts; a backend that ends between two readings loses at most its last ``interval`` of CPU.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _cpu_ticks(pid: str) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def machine_busy() -> float:
    """CPU seconds all cores spent busy (neither idle nor waiting for I/O) since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


def _postmaster() -> str | None:
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "postgres" and Path(f"/proc/{pid}/stat").read_text().split()[3] == "1":
                    return pid
            except OSError:
                continue
    return None


class PostgresCpu:
    """``with PostgresCpu("kaohe_bench_…") as pg: …`` then ``pg.seconds``: CPU of the backends serving that database."""

    def __init__(self, database: str, *, interval: float = 0.05) -> None:
        self._database = database.encode()
        self._interval = interval
        self._postmaster = _postmaster()
        self._first: dict[str, int] = {}
        self._last: dict[str, int] = {}
        self._others: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    @property
    def available(self) -> bool:
        """Whether the PostgreSQL server runs on this machine (its processes are readable)."""
        return self._postmaster is not None

    def _backends(self) -> list[str]:
        try:
            children = Path(f"/proc/{self._postmaster}/task/{self._postmaster}/children").read_text().split()
        except OSError:
            return []
        found = []
        for pid in children:
            if pid in self._others:
                continue
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if self._database in command:
                found.append(pid)
            elif command.startswith(b"postgres: "):  # titled (a backend not yet titled may still turn out to be ours)
                self._others.add(pid)
        return found

    def _sample(self, *, first: bool = False) -> None:
        for pid in self._backends():
            ticks = _cpu_ticks(pid)
            if ticks is None:
                continue
            if first:
                self._first[pid] = ticks
            self._last[pid] = ticks

    def _watch(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def __enter__(self) -> PostgresCpu:
        if self.available:
            self._sample(first=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.available:
            self._stop.set()
            self._thread.join()
            self._sample()

    @property
    def seconds(self) -> float:
        """CPU seconds the database's backends spent inside the block."""
        return sum(ticks - self._first.get(pid, 0) for pid, ticks in self._last.items()) / TICK
