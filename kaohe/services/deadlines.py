"""Moving a stage's deadline for everyone or for some units, and telling them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kaohe.planning import end_of_day
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import extend


@dataclass(frozen=True)
class ExtendDeadline:
    """Move ``stage``'s deadline to the end of ``to`` (Beijing time) for ``units`` (empty: the whole stage)."""

    actor: Actor
    cycle: str
    stage: str
    to: dt.date
    reason: str
    units: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeadlineExtended:
    """The new deadline and how many obligations it moved."""

    cycle: str
    stage: str
    due: dt.datetime
    obligations: int

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"cycle": self.cycle, "stage": self.stage, "due": self.due.isoformat(), "obligations": self.obligations}


def extend_deadline(context: AppContext, command: ExtendDeadline) -> DeadlineExtended:
    """Move the deadline, cancel reminders planned for the old one and notify the units concerned."""
    authorize(command.actor, Action.EXTEND_DEADLINE, Scope(cycle=command.cycle))
    new_due = end_of_day(command.to)
    with context.unit_of_work(command.actor) as uow:
        changed = extend(uow.session, get_cycle(uow.session, command.cycle), command.stage, new_due,
                         unit_codes=list(command.units) or None, reason=command.reason, actor=command.actor.account, now=uow.now)
        return DeadlineExtended(command.cycle, command.stage, new_due, len(changed))
