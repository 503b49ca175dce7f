"""Completing an obligation and moving its deadline: the two things that change who gets reminded."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.datechecks import deadline_problem
from kaohe.db import calendar_of
from kaohe.errors import InputError, NotFoundError, Problem, StateError
from kaohe.models import Cycle, CycleStage, Obligation, Unit
from kaohe.store.audit import record
from kaohe.store.outbox import cancel_for, deliver_at
from kaohe.store.schedule_sync import mark_schedule_stale

if TYPE_CHECKING:
    from kaohe.workdays import WorkdayCalendar


def find_obligation(session: Session, cycle: Cycle, unit_code: str, stage_key: str) -> Obligation:
    """The obligation of ``unit_code`` in ``stage_key``; NotFoundError says which part is wrong."""
    stage = session.scalar(select(CycleStage).where(CycleStage.cycle_id == cycle.id, CycleStage.key == stage_key))
    if stage is None:
        raise NotFoundError(f"周期 {cycle.key} 没有阶段 {stage_key}（有：{', '.join(s.key for s in cycle.stages)}）")
    unit = session.scalar(select(Unit).where(Unit.cycle_id == cycle.id, Unit.code == unit_code))
    if unit is None:
        raise NotFoundError(f"周期 {cycle.key} 中没有编码为 {unit_code} 的单位")
    obligation = session.scalar(select(Obligation).where(Obligation.stage_id == stage.id, Obligation.unit_id == unit.id))
    if obligation is None:
        raise NotFoundError(f"单位 {unit_code}（{unit.name}）在阶段 {stage_key}（{stage.name}）没有应办事项")
    return obligation


def complete(session: Session, cycle: Cycle, unit_code: str, stage_key: str, *, at: dt.datetime, actor: str) -> Obligation:
    """Mark an obligation done at ``at`` and cancel the unit's pending reminders for that stage."""
    obligation = find_obligation(session, cycle, unit_code, stage_key)
    if obligation.status == "done":
        raise StateError(f"单位 {unit_code} 已于 {obligation.completed_at} 完成阶段 {stage_key}")
    late = at > obligation.due_at
    obligation.status, obligation.completed_at, obligation.updated_at = "done", at, at
    cancel_for(session, cycle_id=cycle.id, stage_key=stage_key, unit_ids=[obligation.unit_id])
    record(session, actor=actor, action="obligation.completed", cycle_id=cycle.id, subject=f"{stage_key}:{unit_code}", at=at,
           detail={"late": late, "late_by_seconds": max(0, int((at - obligation.due_at).total_seconds()))})
    return obligation


def extend(session: Session, cycle: Cycle, stage_key: str, new_due: dt.datetime, *, unit_codes: list[str] | None,
           reason: str, actor: str, now: dt.datetime, calendar: WorkdayCalendar | None = None) -> list[Obligation]:
    """Move a deadline for some units (or, with ``unit_codes`` None, the whole stage) and tell them.

    The new day is checked first (``kaohe.datechecks.deadline_problem``: a plausible year, not past, not before
    the stage opens, and a working day when ``calendar`` is given); InputError names ``--to``. Moving a whole
    stage re-plans the cycle: stages the scheme computes from it (``stage.X.due + 3 working_days``) follow.

    Pending reminders planned for the old date are cancelled; the next advance plans the new ones.
    Each unit concerned gets a ``deadline_changed`` message at once. A whole stage's new date is pinned
    (re-planning keeps it) and flows down to the cycle's child cycles (kaohe.cascade.apply.propagate).
    """
    from kaohe.engine.state import Delivery
    from kaohe.store.advance import render_deliveries
    from kaohe.store.outbox import enqueue

    stage = session.scalar(select(CycleStage).where(CycleStage.cycle_id == cycle.id, CycleStage.key == stage_key))
    if stage is None:
        raise NotFoundError(f"周期 {cycle.key} 没有阶段 {stage_key}")
    if not reason.strip():
        raise StateError("变更截止日期必须说明理由")
    day = new_due.astimezone(BEIJING).date()
    opens = stage.opens_at.astimezone(BEIJING).date() if stage.opens_at is not None else None
    if (problem := deadline_problem(day, today=now.astimezone(BEIJING).date(), opens=opens, calendar=calendar)) is not None:
        raise InputError(Problem(problem, field="--to"))
    shortened = new_due < stage.due_at
    query = select(Obligation).where(Obligation.stage_id == stage.id, Obligation.status != "done")
    if unit_codes is not None:
        units = {u.code: u for u in cycle.units if u.code in unit_codes}
        missing = sorted(set(unit_codes) - set(units))
        if missing:
            raise NotFoundError(f"周期 {cycle.key} 中没有编码为 {', '.join(missing)} 的单位")
        query = query.where(Obligation.unit_id.in_([u.id for u in units.values()]))
    else:
        old_stage_due = stage.due_at
        stage.due_at = stage.pinned_due = new_due
        stage.reason = f"{stage.reason}；" if stage.reason else ""
        stage.reason += f"{now.date().isoformat()} 变更截止：{reason}"
        if stage.status == "closed" and new_due > now:
            stage.status, stage.closed_at = "open", None
    obligations = list(session.scalars(query))
    codes = {u.id: u.code for u in cycle.units}
    send_at = deliver_at(now, cycle.office_hours, calendar or calendar_of(session))
    deliveries = []
    for obligation in obligations:
        old_due = obligation.due_at
        obligation.due_at, obligation.updated_at = new_due, now
        if obligation.status == "overdue" and new_due > now:
            obligation.status, obligation.overdue_since = "pending", None
        code = codes[obligation.unit_id]
        deliveries.append((Delivery(stage_key, code, code, "deadline_changed", f"deadline_changed@{new_due.date().isoformat()}",
                                    send_at, new_due), old_due))
    cancel_for(session, cycle_id=cycle.id, stage_key=stage_key, unit_ids=[o.unit_id for o in obligations], after=now)
    messages = render_deliveries(cycle, [d for d, _ in deliveries], extra={d.unit_code: {"old_due": old, "reason": reason} for d, old in deliveries})
    enqueue(session, messages, now)
    mark_schedule_stale(cycle, now)
    record(session, actor=actor, action="deadline.changed", cycle_id=cycle.id, subject=stage_key, at=now,
           detail={"new_due": new_due.isoformat(), "units": [codes[o.unit_id] for o in obligations] if unit_codes else "all",
                   "reason": reason, "shortened": shortened})
    if unit_codes is None:
        from kaohe.cascade.apply import propagate
        propagate(session, cycle, cause="extension" if new_due > old_stage_due else "override", reason=reason, actor=actor,
                  now=now, calendar=calendar or calendar_of(session), include_origin=True)
    return obligations
