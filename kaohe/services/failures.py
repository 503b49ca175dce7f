"""A scheduled step that failed (e.g. the automatic aggregation), put in the audit log for the office to act on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.cycles import get_cycle


@dataclass(frozen=True)
class RecordFailure:
    """``action`` (the audit action, e.g. ``results.aggregation_failed``) failed on ``cycle`` at ``at`` with an
    ``error`` of that type and every problem, one line each."""

    actor: Actor
    cycle: str
    action: str
    error: str
    problems: tuple[str, ...]
    at: dt.datetime


def record_failure(context: AppContext, command: RecordFailure) -> None:
    """Write the failure's audit entry (only a scheduled flow records one; NotFoundError for an unknown cycle)."""
    authorize(command.actor, Action.RECORD_FAILURE, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        uow.audit(command.action, cycle_id=cycle.id, subject=cycle.key, at=command.at,
                  detail={"error": command.error, "problems": list(command.problems)})
