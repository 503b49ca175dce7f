"""Importing a roster into a cycle under way: new units join, known units' details (contacts, names) are updated."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kaohe.roster import RosterEntry, read_roster
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.roster import RosterImport
from kaohe.store.roster import import_roster as store_import


@dataclass(frozen=True)
class ImportRoster:
    """Apply ``roster`` (a CSV/XLSX file, or entries already read) to ``cycle``."""

    actor: Actor
    cycle: str
    roster: Path | Sequence[RosterEntry]


def import_roster(context: AppContext, command: ImportRoster) -> RosterImport:
    """Add the new units (they owe the stages of their role not yet closed), update the known ones, leave the units the
    file omits as they are; all or nothing (RosterError lists every bad row; a changed role is refused); audited."""
    authorize(command.actor, Action.IMPORT_ROSTER, Scope(cycle=command.cycle))
    entries = read_roster(command.roster) if isinstance(command.roster, Path) else list(command.roster)
    file = str(command.roster) if isinstance(command.roster, Path) else "名单"
    with context.unit_of_work(command.actor) as uow:
        cycle = uow.lock_cycle(command.cycle)
        return store_import(uow.session, cycle, entries, file=file, by=command.actor.account, now=uow.now)
