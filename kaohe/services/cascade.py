"""The cascade's user actions: acknowledging date changes that flowed down, reminding the coordinators who have
not, and re-planning cycle trees after a holiday table is published (the logic is kaohe.cascade.apply; here the
permission and the unit of work)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from kaohe.cascade.apply import CascadeReport, acknowledge, remind_unacknowledged, replan_all, tree_of
from kaohe.models import Cycle
from kaohe.schemes.loader import load_lineage
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize


@dataclass(frozen=True)
class AcknowledgeDateChanges:
    """The coordinator of ``cycle`` takes note of its pending date changes (or of ``change`` only)."""

    actor: Actor
    cycle: str
    change: int | None = None
    note: str | None = None


def acknowledge_date_changes(context: AppContext, command: AcknowledgeDateChanges) -> tuple[int, ...]:
    """Record the acknowledgement (who, when, note; audited); the ids acknowledged. StateError if none is pending."""
    authorize(command.actor, Action.ACKNOWLEDGE_DATE_CHANGE, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = uow.lock_cycle(command.cycle)
        done = acknowledge(uow.session, cycle, by=command.actor.account, now=uow.now, change_id=command.change, note=command.note)
        return tuple(change.id for change in done)


@dataclass(frozen=True)
class RemindUnacknowledged:
    """Remind the coordinators of ``cycle`` of the date changes from above they have not acknowledged, as advancing
    a child cycle does (``at``: the instant acted for; default: the clock's)."""

    actor: Actor
    cycle: str
    at: dt.datetime | None = None


REMINDED = "dates.ack_reminded"


def remind_unacknowledged_changes(context: AppContext, command: RemindUnacknowledged) -> int:
    """Queue the reminders (once per working day, from office hours on); how many messages were queued, audited
    when any were. Reminding is part of advancing a cycle: who may advance it may remind."""
    authorize(command.actor, Action.ADVANCE_CYCLE, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = uow.lock_cycle(command.cycle)
        now = command.at or uow.now
        queued = remind_unacknowledged(uow.session, cycle, now, context.calendar)
        if queued:
            uow.audit(REMINDED, cycle_id=cycle.id, subject=cycle.key, detail={"messages": queued}, at=now)
        return queued


@dataclass(frozen=True)
class ReplanCycles:
    """Re-resolve the dates of ``cycles`` (empty: every active cycle) and their descendants with the calendar in force."""

    actor: Actor
    reason: str
    cycles: tuple[str, ...] = ()


def replan_cycles(context: AppContext, command: ReplanCycles) -> CascadeReport:
    """Re-plan top-down, move what moved, tell each unit whose dates moved once (kaohe.cascade.apply.replan_all)."""
    for key in command.cycles or (None,):
        authorize(command.actor, Action.REPLAN_CYCLES, Scope(cycle=key))
    schemes_dir = context.settings.schemes_dir
    with context.unit_of_work(command.actor) as uow:
        chosen = [uow.lock_cycle(key) for key in command.cycles] if command.cycles else None
        report = replan_all(uow.session, reason=command.reason, actor=command.actor.account, now=uow.now, calendar=context.calendar,
                            lineage=lambda scheme_id: load_lineage(scheme_id, schemes_dir), cycles=chosen)
        roots = chosen if chosen is not None else list(uow.session.scalars(select(Cycle).where(Cycle.status == "active")))
        fingerprint = context.calendar.fingerprint()
        for cycle in {c.id: c for root in roots for c in tree_of(uow.session, root) if c.status == "active"}.values():
            cycle.calendar_hash = fingerprint  # resolved with the calendar in force: the safety net need not re-plan it
        return report
