"""Results out as thin Prefect tasks (the actions are services: ``kaohe.services.aggregation``), and what an
advance means for them (``triggers``) and how a failed automatic step is recorded (``record_failure``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from prefect import task

from kaohe.db import session_scope
from kaohe.errors import InputError, KaoheError
from kaohe.services import current_context, system
from kaohe.services.aggregation import Aggregate, SendFeedback, send_feedback
from kaohe.services.aggregation import aggregate as run_aggregate
from kaohe.store.audit import record
from kaohe.store.cycles import get_cycle
from kaohe.store.results import AGGREGATION_KIND, FEEDBACK_KIND, latest_version, stage_of_kind


def triggers(url: str, cycle_key: str, opened: list[str], closed: list[str]) -> dict[str, Any]:
    """What an advance means for results: an aggregation stage closed, a feedback stage opened, and the state."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        kinds = {s.key: s.kind for s in cycle.stages}
        feedback_stage = stage_of_kind(cycle, FEEDBACK_KIND)
        version = latest_version(session, cycle)
        return {
            "aggregation_closed": any(kinds.get(k) == AGGREGATION_KIND for k in closed),
            "feedback_opened": any(kinds.get(k) == FEEDBACK_KIND for k in opened),
            "feedback_started": feedback_stage is not None and feedback_stage.status != "pending",
            "version": version.version if version else None,
            "has_formula": cycle.scheme_snapshot.get("scoring") is not None,
        }


def problem_lines(error: KaoheError) -> list[str]:
    """Every problem of ``error``, one line each."""
    return error.details() if isinstance(error, InputError) else [str(error)]


def record_failure(url: str, cycle_key: str, action: str, error_type: str, problems: list[str], at: dt.datetime) -> None:
    """Put a failed automatic step in the audit log with every problem, for the office to act on."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        record(session, actor="flow:advance-cycle", action=action, cycle_id=cycle.id, subject=cycle_key, at=at,
               detail={"error": error_type, "problems": problems})


@task(name="aggregate-results")
def aggregate_results(cycle_key: str, as_of: dt.datetime, sheet: str | None = None, previous: str | None = None,
                      reason: str | None = None, by: str = "flow:aggregate-cycle",
                      forms: dict[str, str] | None = None) -> dict[str, Any]:
    """The aggregate service acting as the flow; ``forms`` maps a component to its form file (``kaohe results aggregate --form``)."""
    command = Aggregate(system(by), cycle_key, Path(sheet) if sheet else None, Path(previous) if previous else None, reason,
                        at=as_of, forms=tuple((component, Path(path)) for component, path in (forms or {}).items()))
    return run_aggregate(current_context(), command).to_json()


@task(name="send-feedback-messages")
def send_feedback_messages(cycle_key: str, as_of: dt.datetime, by: str = "flow:send-feedback") -> dict[str, Any]:
    """The send-feedback service acting as the flow."""
    return send_feedback(current_context(), SendFeedback(system(by), cycle_key, as_of)).to_json()


@task(name="results-triggers")
def results_triggers(cycle_key: str, opened: list[str], closed: list[str]) -> dict[str, Any]:
    """``triggers`` on the run's database."""
    return triggers(current_context().database_url, cycle_key, opened, closed)


@task(name="record-results-failure")
def record_results_failure(cycle_key: str, action: str, error_type: str, problems: list[str], at: dt.datetime) -> None:
    """``record_failure`` on the run's database."""
    record_failure(current_context().database_url, cycle_key, action, error_type, problems, at)
