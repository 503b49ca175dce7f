"""What a person reads about a run in the Prefect UI: its name and kaohe's own log lines.

kaohe logs through the standard ``logging`` module under the ``kaohe`` logger. Inside a flow or task
run, :func:`run_log` routes those lines, from INFO up, into that run's log on the Prefect server; they
are not propagated to any console, so the CLI (and ``PREFECT_LOGGING_LEVEL=WARNING``) stays quiet, and
outside a run they are dropped. Instants in names are Beijing time.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from prefect.logging.handlers import APILogHandler

from kaohe.clock import BEIJING

KAOHE_LOGGER = "kaohe"


class RunLogHandler(APILogHandler):
    """Prefect's API log handler, for records emitted inside a flow or task run only."""

    def emit(self, record: logging.LogRecord) -> None:
        from prefect.context import FlowRunContext, TaskRunContext

        if FlowRunContext.get() is None and TaskRunContext.get() is None:
            return
        super().emit(record)


def run_log(name: str = "kaohe.flows") -> logging.Logger:
    """A logger under ``kaohe`` whose INFO lines land in the current Prefect run's log (see module doc)."""
    root = logging.getLogger(KAOHE_LOGGER)
    if not any(isinstance(handler, RunLogHandler) for handler in root.handlers):
        root.addHandler(RunLogHandler())
        root.setLevel(logging.INFO)
        root.propagate = False
    return logging.getLogger(name)


def beijing(instant: dt.datetime | str) -> dt.datetime:
    """``instant`` (aware datetime, pendulum DateTime or ISO string with offset) in Beijing time."""
    if isinstance(instant, str):
        instant = dt.datetime.fromisoformat(instant)
    if instant.tzinfo is None:
        raise ValueError("a naive time would be read as UTC; give an offset such as +08:00")
    return dt.datetime.fromtimestamp(instant.timestamp(), BEIJING)


def scheduled_instant() -> dt.datetime:
    """The current run's scheduled start in Beijing time (a late run or a retry computes the same), else now."""
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    return beijing(scheduled if scheduled is not None else dt.datetime.now(dt.timezone.utc))


def _instant_parameter(name: str = "as_of") -> str:
    from prefect.runtime import flow_run

    value: Any = flow_run.parameters.get(name)
    try:
        return f"{beijing(value if value is not None else scheduled_instant()):%Y-%m-%d %H:%M}"
    except (TypeError, ValueError):
        return str(value)


def advance_title(cycle: str, instant: dt.datetime) -> str:
    """The name of the advance run of ``cycle`` at ``instant``: ``advance mile-2018 · 2019-01-23 09:00``."""
    return f"advance {cycle} · {beijing(instant):%Y-%m-%d %H:%M}"


def advance_run_name() -> str:
    """The current advance-cycle run's name (see :func:`advance_title`), from its parameters."""
    from prefect.runtime import flow_run

    return f"advance {flow_run.parameters.get('cycle')} · {_instant_parameter()}"


def advance_all_run_name() -> str:
    """``advance all · 2019-01-23 09:00``."""
    return f"advance all · {_instant_parameter()}"


def schedule_run_name() -> str:
    """``schedule mile-2018``."""
    from prefect.runtime import flow_run

    return f"schedule {flow_run.parameters.get('cycle')}"


def create_run_name() -> str:
    """``create mile-2018`` (the key given, else scheme-year)."""
    from prefect.runtime import flow_run

    params = flow_run.parameters
    key = params.get("key") or f"{params.get('scheme')}-{params.get('year')}"
    return f"create {key}"
