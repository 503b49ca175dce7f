"""Moving a stage's deadline for everyone or for some units, and telling them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kaohe.datechecks import check_year
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
    at: dt.datetime | None = None


@dataclass(frozen=True)
class DeadlineExtended:
    """The new deadline and how many obligations it moved."""

    cycle: str
    stage: str
    due: dt.datetime
    obligations: int
    shortened: bool = False
    replanned: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"cycle": self.cycle, "stage": self.stage, "due": self.due.isoformat(), "obligations": self.obligations,
                "shortened": self.shortened, "replanned": self.replanned}


def extend_deadline(context: AppContext, command: ExtendDeadline) -> DeadlineExtended:
    """Move the deadline, cancel reminders planned for the old one and notify the units concerned."""
    authorize(command.actor, Action.EXTEND_DEADLINE, Scope(cycle=command.cycle))
    check_year(command.to, "新截止日", "--to")
    new_due = end_of_day(command.to)
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        before = {s.key: s.due_at for s in cycle.stages}
        changed = extend(uow.session, cycle, command.stage, new_due, unit_codes=list(command.units) or None,
                         reason=command.reason, actor=command.actor.account, now=command.at or uow.now,
                         calendar=context.calendar)
        uow.session.flush()
        replanned = {s.key: s.due_at.isoformat() for s in cycle.stages if s.key != command.stage and s.due_at != before.get(s.key)}
        shortened = command.stage in before and new_due < before[command.stage]
        return DeadlineExtended(command.cycle, command.stage, new_due, len(changed), shortened, replanned)
