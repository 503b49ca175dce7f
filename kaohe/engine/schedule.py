"""Keeping a cycle's explicit Prefect runs in step with its calendar. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


def run_key(cycle_key: str, instant: dt.datetime) -> str:
    """The idempotency key of the advance run for ``cycle_key`` at ``instant`` (UTC, second precision)."""
    return f"kaohe:{cycle_key}:{instant.astimezone(dt.timezone.utc).strftime('%Y%m%dT%H%M%SZ')}"


@dataclass(frozen=True)
class ScheduleDiff:
    """Runs to create (instants) and runs to delete (flow-run ids) so the server matches the calendar."""

    create: tuple[dt.datetime, ...]
    delete: tuple[str, ...]
    keep: int


def diff_schedule(cycle_key: str, wanted: Iterable[dt.datetime], scheduled: Mapping[str, str], *, now: dt.datetime) -> ScheduleDiff:
    """Compare the instants the calendar wants (future ones only) with the scheduled runs on the server.

    ``scheduled`` maps idempotency key → flow-run id of the cycle's runs still in a Scheduled state.
    """
    future = sorted({i for i in wanted if i > now})
    wanted_keys = {run_key(cycle_key, i): i for i in future}
    create = tuple(i for k, i in wanted_keys.items() if k not in scheduled)
    delete = tuple(run_id for k, run_id in scheduled.items() if k not in wanted_keys)
    return ScheduleDiff(create, delete, len(wanted_keys) - len(create))
