"""Results out as thin Prefect tasks: the actions are services (``kaohe.services.aggregation``, a failed automatic
step ``kaohe.services.failures``), what an advance means for them a query (``kaohe.services.task_queries``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from prefect import task

from kaohe.errors import InputError, KaoheError
from kaohe.services import current_context, system
from kaohe.services.aggregation import Aggregate, SendFeedback, send_feedback
from kaohe.services.aggregation import aggregate as run_aggregate
from kaohe.services.failures import RecordFailure, record_failure
from kaohe.services.task_queries import results_triggers as triggers


def problem_lines(error: KaoheError) -> list[str]:
    """Every problem of ``error``, one line each."""
    return error.details() if isinstance(error, InputError) else [str(error)]


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
    """What the advance means for results (``kaohe.services.task_queries.results_triggers``)."""
    return triggers(current_context(), cycle_key, opened, closed)


@task(name="record-results-failure")
def record_results_failure(cycle_key: str, action: str, error_type: str, problems: list[str], at: dt.datetime) -> None:
    """Put a failed automatic step in the audit log with every problem, for the office to act on (as the advance flow)."""
    record_failure(current_context(), RecordFailure(system("flow:advance-cycle"), cycle_key, action, error_type, tuple(problems), at))
