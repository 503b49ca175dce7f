"""Completing an obligation and moving its deadline: the two things that change who gets reminded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.errors import NotFoundError, StateError
from kaohe.models import Cycle, CycleStage, Obligation, Unit
from kaohe.store.audit import record
from kaohe.store.outbox import cancel_for


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
