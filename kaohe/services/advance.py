"""Advancing a cycle to an instant: one transaction that holds the cycle, so a transition is applied once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kaohe.engine.advance import decide
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.advance import apply_decisions, escalation_targets, obligation_states, stage_states


@dataclass(frozen=True)
class AdvanceCycle:
    """Bring ``cycle`` to ``as_of``: open and close stages, mark overdue, enqueue the reminders due."""

    actor: Actor
    cycle: str
    as_of: dt.datetime


@dataclass(frozen=True)
class Advanced:
    """What an advance recorded (a second advance to the same instant records nothing)."""

    cycle_id: int
    opened_stages: tuple[str, ...]
    closed_stages: tuple[str, ...]
    overdue: int
    queued: int
    skipped_waves: int

    def to_json(self) -> dict[str, object]:
        """As the advance flow reports it."""
        return {"cycle_id": self.cycle_id, "opened": len(self.opened_stages), "closed": len(self.closed_stages),
                "overdue": self.overdue, "queued": self.queued, "skipped_waves": self.skipped_waves,
                "opened_stages": list(self.opened_stages), "closed_stages": list(self.closed_stages)}


def advance_cycle(context: AppContext, command: AdvanceCycle) -> Advanced:
    """Decide and record everything due in ``(advanced_to, as_of]`` while holding the cycle.

    A concurrent advance of the same cycle waits for this one and then finds nothing left to do.
    """
    if command.as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    authorize(command.actor, Action.ADVANCE_CYCLE, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = uow.lock_cycle(command.cycle)
        decisions = decide(
            stage_states(cycle), obligation_states(uow.session, cycle, owing_only=True), escalation_targets(cycle),
            context.calendar, since=cycle.advanced_to, now=command.as_of, office_hours=cycle.office_hours,
        )
        counts = apply_decisions(uow.session, cycle, decisions, now=command.as_of, actor=command.actor.account)
        return Advanced(cycle.id, tuple(decisions.open_stages), tuple(decisions.close_stages), counts["overdue"],
                        counts["queued"], counts["skipped_waves"])
