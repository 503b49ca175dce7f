"""Creating a cycle: plan a scheme's year (with its events, under a parent cycle if any), read the roster,
store stages, units and obligations in one transaction. The CLI, the create-cycle flow and the simulation
all come here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kaohe.cascade.tree import late_feeds, plan_parent_dates
from kaohe.cycleplan import plan_ancestors, plan_scheme
from kaohe.errors import Problem, SchemeError
from kaohe.planning import ParentDates, Plan
from kaohe.roster import RosterEntry, read_roster
from kaohe.roster.coverage import missing_role_warnings
from kaohe.schemes.model import Scheme
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize

HolidayPolicy = Literal["keep", "next", "previous"]


@dataclass(frozen=True)
class CreateCycle:
    """Create the cycle ``key`` (default ``<scheme>-<year>``) of ``scheme`` for ``year`` on ``roster``.

    ``scheme`` is a scheme id (looked up with its parents in ``KAOHE_SCHEMES_DIR``) or a loaded scheme (planned
    on its own). ``roster`` is a CSV/XLSX file or entries already read. ``events`` sets the scheme's event dates;
    ``parent`` names the cycle above (its dates bind this one; ``parent_unit`` is this level's code in its roster).
    ``plan`` is a plan the caller already made (the simulation's what-if); the scheme is then not planned again.
    """

    actor: Actor
    scheme: str | Scheme
    year: int
    roster: Path | Sequence[RosterEntry]
    key: str | None = None
    holiday_policy: HolidayPolicy | None = None
    events: Mapping[str, dt.date] = field(default_factory=dict)
    parent: str | None = None
    parent_unit: str | None = None
    outside_validity: bool = False
    plan: Plan | None = None
    validity_option: str = "--outside-validity"
    """How the edge spells ``outside_validity`` in the refusal (the flow: ``outside_validity=true``)."""


@dataclass(frozen=True)
class CycleCreated:
    """The new cycle: its key, size, whether any date is provisional, and the warnings to show."""

    cycle: str
    scheme: str
    year: int
    units: int
    stages: int
    provisional: bool
    warnings: tuple[str, ...]
    uncovered: tuple[str, ...]
    """Stages whose acting role no roster unit has (they owe nothing to anyone)."""
    parent: str | None = None
    parent_unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        """As ``kaohe cycle create --json`` prints it (without the database)."""
        return {"cycle": self.cycle, "scheme": self.scheme, "year": self.year, "units": self.units, "stages": self.stages,
                "provisional": self.provisional, "warnings": [*self.uncovered, *self.warnings], "parent": self.parent,
                "parent_unit": self.parent_unit}


def create_cycle(context: AppContext, command: CreateCycle) -> CycleCreated:
    """Plan and store the cycle, all or nothing (StateError if the key is taken; RosterError lists every bad row)."""
    from kaohe.cascade.levels import stored_parent_dates
    from kaohe.schemes.loader import load_lineage
    from kaohe.store.cycles import NO_OBLIGATIONS_AT_START, get_cycle
    from kaohe.store.cycles import create_cycle as store_cycle

    office_hours = context.settings.office_hours
    lineage = load_lineage(command.scheme, context.settings.schemes_dir) if isinstance(command.scheme, str) else (command.scheme,)
    scheme = lineage[0]
    key = command.key or f"{scheme.id}-{command.year}"
    authorize(command.actor, Action.CREATE_CYCLE, Scope(cycle=key))
    entries = read_roster(command.roster) if isinstance(command.roster, Path) else list(command.roster)
    uncovered = tuple(missing_role_warnings(scheme, entries, NO_OBLIGATIONS_AT_START))
    with context.unit_of_work(command.actor) as uow:
        parent = get_cycle(uow.session, command.parent) if command.parent else None
        above: ParentDates | None = None
        if parent is not None:
            above = stored_parent_dates(parent)
        elif command.plan is None:
            ancestors = plan_ancestors(lineage, command.year, context.calendar, office_hours=office_hours)
            above = plan_parent_dates(ancestors[0]) if ancestors else None
        plan = command.plan or plan_scheme(scheme, command.year, context.calendar, office_hours=office_hours,
                                           policy=command.holiday_policy, events=command.events, parent=above,
                                           outside_validity=command.outside_validity, option=command.validity_option)
        late = late_feeds(scheme, plan, above) if above is not None and scheme.parent else []
        if late:
            raise SchemeError([Problem(p, file=scheme.id, field="stages") for p in late])
        created = store_cycle(uow.session, key=key, scheme=scheme, plan=plan, roster=entries, actor=command.actor.account,
                              now=uow.now, holiday_policy=command.holiday_policy, office_hours=office_hours, parent=parent,
                              parent_unit=command.parent_unit)
        return CycleCreated(created.key, scheme.id, plan.year, len(entries), len(plan.stages), plan.provisional,
                            tuple(plan.warnings), uncovered, command.parent, command.parent_unit)
