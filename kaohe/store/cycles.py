"""Creating a cycle from a plan and a roster, and finding it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.errors import NotFoundError, StateError
from kaohe.models import Cycle, CycleStage, Obligation, Unit
from kaohe.planning import Plan
from kaohe.roster import RosterEntry
from kaohe.schemes.model import Scheme
from kaohe.store.audit import record

NO_OBLIGATIONS_AT_START = {"rectification"}


def create_cycle(session: Session, *, key: str, scheme: Scheme, plan: Plan, roster: Sequence[RosterEntry],
                 actor: str, now: dt.datetime, holiday_policy: str | None = None, office_hours: str = "09:00") -> Cycle:
    """A new cycle with its stages, units and obligations; StateError if ``key`` is taken.

    Every roster unit whose role is a stage's actor owes that stage, except rectification, which only
    units graded to rectify owe (created when results are known).
    """
    if session.scalar(select(Cycle.id).where(Cycle.key == key)) is not None:
        raise StateError(f"周期 {key} 已存在")
    cycle = Cycle(
        key=key, scheme_id=scheme.id, year=plan.year, scheme_snapshot=scheme.model_dump(mode="json"),
        holiday_policy=holiday_policy, events={k: v.isoformat() for k, v in plan.events.items()},
        office_hours=office_hours, provisional=plan.provisional, created_at=now,
    )
    for position, planned in enumerate(plan.stages):
        cycle.stages.append(CycleStage(
            key=planned.id, position=position, name=planned.name, kind=planned.kind, actor=planned.actor,
            clause=planned.clause, opens_at=planned.opens, due_at=planned.due, source_due=planned.source_due,
            adjusted=planned.adjusted, reason=planned.reason, date_origin=planned.date_origin,
            holiday_policy=planned.holiday_policy, provisional=planned.provisional,
        ))
    for entry in roster:
        cycle.units.append(Unit(
            code=entry.code, name=entry.name, kind=entry.kind or "", role=str(entry.role), township=entry.township,
            region=entry.region, city=entry.city, county=entry.county, poor_township=entry.poor_township,
            sequence=str(entry.sequence) if entry.sequence else None, supervisor_code=entry.supervisor, credit_code=entry.credit_code,
            contacts=dict(entry.contacts), attributes=dict(entry.attributes),
        ))
    session.add(cycle)
    session.flush()
    for stage in cycle.stages:
        if stage.actor is None or stage.kind in NO_OBLIGATIONS_AT_START:
            continue
        for unit in cycle.units:
            if unit.role == stage.actor:
                session.add(Obligation(cycle_id=cycle.id, stage_id=stage.id, unit_id=unit.id, due_at=stage.due_at, created_at=now))
    record(session, actor=actor, action="cycle.created", cycle_id=cycle.id, subject=key, at=now,
           detail={"scheme": scheme.id, "year": plan.year, "units": len(roster), "provisional": plan.provisional})
    return cycle


def get_cycle(session: Session, key: str) -> Cycle:
    """The cycle named ``key``; NotFoundError lists the known ones."""
    cycle = session.scalar(select(Cycle).where(Cycle.key == key))
    if cycle is None:
        known = ", ".join(session.scalars(select(Cycle.key).order_by(Cycle.key))) or "（无）"
        raise NotFoundError(f"没有名为 {key} 的周期（已有：{known}）")
    return cycle


def list_cycles(session: Session) -> list[Cycle]:
    """Every cycle, newest first."""
    return list(session.scalars(select(Cycle).order_by(Cycle.created_at.desc(), Cycle.id.desc())))


def get_unit(session: Session, cycle: Cycle, code: str) -> Unit:
    """The unit ``code`` of ``cycle``."""
    unit = session.scalar(select(Unit).where(Unit.cycle_id == cycle.id, Unit.code == code))
    if unit is None:
        raise NotFoundError(f"周期 {cycle.key} 中没有编码为 {code} 的单位")
    return unit
