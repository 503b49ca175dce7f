"""Creating a cycle from a plan and a roster, and finding it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from kaohe.errors import NotFoundError, StateError
from kaohe.models import Cycle, CycleStage, Obligation, Unit
from kaohe.store.audit import record

if TYPE_CHECKING:
    from kaohe.planning import Plan
    from kaohe.roster import RosterEntry
    from kaohe.schemes.model import Scheme

NO_OBLIGATIONS_AT_START = {"rectification"}


def create_cycle(session: Session, *, key: str, scheme: Scheme, plan: Plan, roster: Sequence[RosterEntry],
                 actor: str, now: dt.datetime, holiday_policy: str | None = None, office_hours: str = "09:00",
                 parent: Cycle | None = None, parent_unit: str | None = None) -> Cycle:
    """A new cycle with its stages, units and obligations; StateError if ``key`` is taken.

    Every roster unit whose role is a stage's actor owes that stage, except rectification, which only
    units graded to rectify owe (created when results are known). The cycle and its stages are ORM
    objects; units and obligations (one row per roster entry and per owed stage) go in as bulk Core
    inserts in the session's transaction, and ``cycle.units`` loads them when first read. ``parent`` links
    the cycle under a parent cycle of the same year (``parent_unit``: its own code in the parent's roster);
    ``plan`` must then have been made from the parent's dates (kaohe.cascade.levels.stored_parent_dates).
    """
    if session.scalar(select(Cycle.id).where(Cycle.key == key)) is not None:
        raise StateError(f"周期 {key} 已存在")
    if parent is not None:
        from kaohe.cascade.levels import check_parent

        check_parent(parent, scheme, plan.year, parent_unit)
    cycle = Cycle(
        key=key, scheme_id=scheme.id, year=plan.year, scheme_snapshot=scheme.model_dump(mode="json"),
        holiday_policy=holiday_policy, events={k: v.isoformat() for k, v in plan.events.items()},
        office_hours=office_hours, provisional=plan.provisional, created_at=now,
        parent_id=parent.id if parent is not None else None, parent_unit=parent_unit,
    )
    for position, planned in enumerate(plan.stages):
        cycle.stages.append(CycleStage(
            key=planned.id, position=position, name=planned.name, kind=planned.kind, actor=planned.actor,
            clause=planned.clause, opens_at=planned.opens, due_at=planned.due, source_due=planned.source_due,
            adjusted=planned.adjusted, reason=planned.reason, date_origin=planned.date_origin,
            holiday_policy=planned.holiday_policy, provisional=planned.provisional,
        ))
    session.add(cycle)
    session.flush()
    unit_ids = _insert_units(session, cycle.id, roster)
    owed = [stage for stage in cycle.stages if stage.actor is not None and stage.kind not in NO_OBLIGATIONS_AT_START]
    obligations = cast(Table, Obligation.__table__)
    created, cycle_id = _plain_utc(now), cycle.id
    rows = [
        {"cycle_id": cycle_id, "stage_id": stage_id, "unit_id": unit_id, "due_at": due, "status": "pending",
         "created_at": created, "updated_at": created}
        for stage_id, stage_actor, due in [(stage.id, stage.actor, _plain_utc(stage.due_at)) for stage in owed]
        for unit_id, role in unit_ids if role == stage_actor
    ]
    for start in range(0, len(rows), BULK_ROWS):
        session.execute(insert(obligations), rows[start:start + BULK_ROWS])
    record(session, actor=actor, action="cycle.created", cycle_id=cycle.id, subject=key, at=now,
           detail={"scheme": scheme.id, "year": plan.year, "units": len(roster), "provisional": plan.provisional,
                   "parent": parent.key if parent is not None else None, "parent_unit": parent_unit})
    return cycle


BULK_ROWS = 20_000


def _plain_utc(instant: dt.datetime) -> dt.datetime:
    """``instant`` as a standard-library UTC datetime (binding one is much cheaper than a pendulum one, per row)."""
    utc = instant.astimezone(dt.timezone.utc)
    return dt.datetime(utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond, tzinfo=dt.timezone.utc)


def _insert_units(session: Session, cycle_id: int, roster: Sequence[RosterEntry]) -> list[tuple[int, str]]:
    """Insert the roster as units of the cycle; (id, role) per entry, in roster order."""
    units = cast(Table, Unit.__table__)
    rows = [
        {"cycle_id": cycle_id, "code": entry.code, "name": entry.name, "kind": entry.kind or "", "role": str(entry.role),
         "township": entry.township, "region": entry.region, "city": entry.city, "county": entry.county,
         "poor_township": entry.poor_township, "sequence": str(entry.sequence) if entry.sequence else None,
         "supervisor_code": entry.supervisor, "credit_code": entry.credit_code, "contacts": dict(entry.contacts),
         "attributes": dict(entry.attributes)}
        for entry in roster
    ]
    for start in range(0, len(rows), BULK_ROWS):
        session.execute(insert(units), rows[start:start + BULK_ROWS])
    return [(row.id, row.role) for row in session.execute(
        select(units.c.id, units.c.role).where(units.c.cycle_id == cycle_id).order_by(units.c.id))]


def get_cycle(session: Session, key: str) -> Cycle:
    """The cycle named ``key``; NotFoundError lists the known ones."""
    cycle = session.scalar(select(Cycle).where(Cycle.key == key))
    if cycle is None:
        raise _unknown_cycle(session, key)
    return cycle


def cycle_ref(session: Session, key: str | None) -> tuple[int, str]:
    """The id and key of the cycle named ``key`` (None: the newest), read as plain columns (no ORM objects);
    NotFoundError lists the known ones, or says there is none yet."""
    cycles = Cycle.__table__.c
    query = select(cycles.id, cycles.key)
    if key is None:
        row = session.execute(query.order_by(cycles.created_at.desc(), cycles.id.desc()).limit(1)).first()
        if row is None:
            raise NotFoundError("还没有周期：先运行 kaohe cycle create")
    else:
        row = session.execute(query.where(cycles.key == key)).first()
        if row is None:
            raise _unknown_cycle(session, key)
    return row.id, row.key


def _unknown_cycle(session: Session, key: str) -> NotFoundError:
    cycles = Cycle.__table__.c
    known = ", ".join(session.scalars(select(cycles.key).order_by(cycles.key))) or "（无）"
    return NotFoundError(f"没有名为 {key} 的周期（已有：{known}）")


def list_cycles(session: Session) -> list[Cycle]:
    """Every cycle, newest first."""
    return list(session.scalars(select(Cycle).order_by(Cycle.created_at.desc(), Cycle.id.desc())))


def active_cycle_keys(session: Session) -> list[str]:
    """Keys of the cycles still running, in key order."""
    return list(session.scalars(select(Cycle.key).where(Cycle.status == "active").order_by(Cycle.key)))


def get_unit(session: Session, cycle: Cycle, code: str) -> Unit:
    """The unit ``code`` of ``cycle``."""
    unit = session.scalar(select(Unit).where(Unit.cycle_id == cycle.id, Unit.code == code))
    if unit is None:
        raise NotFoundError(f"周期 {cycle.key} 中没有编码为 {code} 的单位")
    return unit


def unit_contacts(session: Session, cycle_id: int) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """``(contacts, attributes)`` of every unit of the cycle (the roster's columns, e.g. its robots and their secrets)."""
    return [(contacts, attributes) for contacts, attributes in
            session.execute(select(Unit.contacts, Unit.attributes).where(Unit.cycle_id == cycle_id)).tuples()]
