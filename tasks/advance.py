"""Thin tasks around advancing a cycle: open the session, call the pure engine, record the result."""

from __future__ import annotations

import datetime as dt

from prefect import task

from kaohe.db import ensure_schema, session_scope
from kaohe.engine.advance import decide
from kaohe.settings import get_settings
from kaohe.store.advance import (
    apply_decisions,
    escalation_targets,
    obligation_states,
    stage_states,
)
from kaohe.store.cycles import get_cycle
from kaohe.workdays import load_calendar


@task(name="record-advance")
def record_advance(cycle_key: str, as_of: dt.datetime) -> dict[str, object]:
    """Open and close stages, mark overdue obligations and enqueue the reminders due at ``as_of``."""
    settings = get_settings()
    url = settings.effective_database_url
    ensure_schema(url)
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        decisions = decide(
            stage_states(cycle), obligation_states(session, cycle, owing_only=True), escalation_targets(cycle),
            load_calendar(settings.holidays_file), since=cycle.advanced_to, now=as_of, office_hours=cycle.office_hours,
        )
        counts = apply_decisions(session, cycle, decisions, now=as_of, actor="flow:advance-cycle")
        return {"cycle_id": cycle.id, **counts, "opened_stages": list(decisions.open_stages),
                "closed_stages": list(decisions.close_stages)}
