"""Thin tasks around keeping cycles in step with the calendar and their scheduled runs with their dates
(kaohe.services.schedule_sync does the work)."""

from __future__ import annotations

from prefect import task

from kaohe.services import current_context, system
from kaohe.services.schedule_sync import ResyncCalendar, cycles_to_sync, mark_synced, resync_calendar, stale_since


@task(name="check-holiday-calendar")
def check_calendar() -> dict[str, object]:
    """Re-plan the active cycles whose dates were resolved with another holiday table than the one in force."""
    return resync_calendar(current_context(), ResyncCalendar(system("flow:advance-all-cycles"))).to_json()


@task(name="list-cycles-to-sync")
def list_cycles_to_sync() -> list[str]:
    """Keys of the active cycles whose scheduled runs are out of step with their dates."""
    return [key for key, _ in cycles_to_sync(current_context())]


@task(name="read-schedule-mark")
def read_mark(cycle_key: str) -> str | None:
    """When the cycle's dates first moved since its runs were last synced (None: in step)."""
    return stale_since(current_context(), cycle_key)


@task(name="clear-schedule-mark")
def clear_mark(cycle_key: str, seen: str | None) -> bool:
    """Clear the mark read before the sync, unless the dates moved again meanwhile."""
    return mark_synced(current_context(), system("flow:schedule-cycle"), cycle_key, seen)
