"""Thin task around advancing a cycle: the service does the work under the cycle's lock."""

from __future__ import annotations

import datetime as dt

from prefect import task

from kaohe.services import current_context, system
from kaohe.services.advance import AdvanceCycle, advance_cycle


@task(name="record-advance")
def record_advance(cycle_key: str, as_of: dt.datetime) -> dict[str, object]:
    """Open and close stages, mark overdue obligations and enqueue the reminders due at ``as_of``."""
    result = advance_cycle(current_context(), AdvanceCycle(system("flow:advance-cycle"), cycle_key, as_of))
    return result.to_json()
