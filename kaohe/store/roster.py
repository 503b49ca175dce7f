"""Importing a roster into an existing cycle: new units join (owing the stages not yet closed), known units get
their details updated, units missing from the file stay as they are (their records are kept)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kaohe.errors import InputError, Problem
from kaohe.models import Cycle, Obligation, Unit
from kaohe.roster import RosterEntry
from kaohe.store.audit import record
from kaohe.store.cycles import NO_OBLIGATIONS_AT_START

FIELDS = ("name", "kind", "township", "region", "city", "county", "poor_township", "sequence", "supervisor_code",
          "credit_code", "contacts", "attributes")


@dataclass(frozen=True)
class RosterImport:
    """The units added (with how many obligations they got), updated (with the fields changed), unchanged, and
    those of the cycle that the file does not list."""

    added: tuple[str, ...]
    obligations: int
    updated: dict[str, tuple[str, ...]]
    unchanged: int
    missing: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {"added": list(self.added), "obligations": self.obligations, "updated": {k: list(v) for k, v in self.updated.items()},
                "unchanged": self.unchanged, "missing": list(self.missing)}


def unit_fields(entry: RosterEntry) -> dict[str, Any]:
    """A roster entry as the columns of its unit (without the cycle, the code and the role)."""
    return {"name": entry.name, "kind": entry.kind or "", "township": entry.township, "region": entry.region, "city": entry.city,
            "county": entry.county, "poor_township": entry.poor_township, "sequence": str(entry.sequence) if entry.sequence else None,
            "supervisor_code": entry.supervisor, "credit_code": entry.credit_code, "contacts": dict(entry.contacts),
            "attributes": dict(entry.attributes)}


def import_roster(session: Session, cycle: Cycle, roster: Sequence[RosterEntry], *, file: str, by: str, now: dt.datetime) -> RosterImport:
    """Apply ``roster`` to ``cycle`` (see the module docstring); a unit whose role would change is refused with its
    row (what it owes follows from its role), and then nothing is changed."""
    known = {u.code: u for u in cycle.units}
    problems = [Problem(f"单位 {e.code} 在周期中的角色是 {known[e.code].role}，名单中为 {e.role}：周期进行中不能改变单位角色", file=file,
                        field="角色")
                for e in roster if e.code in known and known[e.code].role != str(e.role)]
    if problems:
        raise InputError(problems)
    added: list[str] = []
    updated: dict[str, tuple[str, ...]] = {}
    obligations = 0
    open_stages = [s for s in cycle.stages if s.actor is not None and s.kind not in NO_OBLIGATIONS_AT_START and s.status != "closed"]
    for entry in roster:
        values = unit_fields(entry)
        unit = known.get(entry.code)
        if unit is None:
            unit = Unit(cycle_id=cycle.id, code=entry.code, role=str(entry.role), **values)
            session.add(unit)
            session.flush()
            for stage in open_stages:
                if stage.actor == unit.role:
                    session.add(Obligation(cycle_id=cycle.id, stage_id=stage.id, unit_id=unit.id, due_at=stage.due_at, status="pending",
                                           created_at=now, updated_at=now))
                    obligations += 1
            added.append(entry.code)
            continue
        changed = tuple(name for name in FIELDS if getattr(unit, name) != values[name])
        for name in changed:
            setattr(unit, name, values[name])
        if changed:
            updated[entry.code] = changed
    listed = {e.code for e in roster}
    missing = tuple(code for code in known if code not in listed)
    result = RosterImport(tuple(added), obligations, updated, len(roster) - len(added) - len(updated), missing)
    record(session, actor=by, action="roster.imported", cycle_id=cycle.id, subject=file, at=now,
           detail={"added": list(added), "obligations": obligations, "updated": sorted(updated), "missing": list(missing)})
    session.flush()
    session.expire(cycle, ["units"])
    return result
