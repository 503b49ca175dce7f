"""Supervision orders (督办单): issue, close with evidence, score with immediate feedback.

Each order gets a stage row of its own (key ``order_<N>``, kind ``supervision_order``) holding the
unit's obligation. So the advancing engine opens, closes and marks it overdue like any stage, and
``kaohe status`` lists it. Its reminders are planned when it is issued — the scheme's unit reminder
plan counted back from the order's deadline (upcoming, due today, overdue, escalation to the unit's
supervisor or the coordinators) — and enqueued at once with their send times; the dispatcher sends
each when its time comes. Closing the order completes the obligation, which cancels what is still
pending, escalations included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from kaohe.engine.state import UNIT_KINDS, Delivery
from kaohe.errors import InputError, NotFoundError, StateError
from kaohe.evidence.lateness import late_by_seconds
from kaohe.evidence.orders import (
    ORDER_STAGE_KIND,
    feedback_message,
    order_no,
    order_stage_key,
    order_waves,
    supervision_clause,
    unit_reminder_plan,
)
from kaohe.models import Cycle, CycleStage, Obligation, OutboxMessage, SupervisionOrder
from kaohe.planning import end_of_day
from kaohe.store.advance import (
    MESSAGE_CHANNELS,
    escalation_targets,
    render_deliveries,
    scheme_of,
)
from kaohe.store.audit import record
from kaohe.store.cycles import get_unit
from kaohe.store.obligations import complete
from kaohe.store.outbox import Outgoing, enqueue
from kaohe.store.schedule_sync import mark_schedule_stale
from kaohe.workdays import WorkdayCalendar

ORDER_DELIVERABLES = ["督办事项办理情况报告及佐证材料"]
REMINDER_KINDS = ("supervision_order", "stage_opened", "upcoming", "due_today", "overdue", "escalation")


def get_order(session: Session, cycle: Cycle, number: int) -> SupervisionOrder:
    """Order ``number`` of ``cycle``."""
    order = session.scalar(select(SupervisionOrder).where(SupervisionOrder.cycle_id == cycle.id, SupervisionOrder.number == number))
    if order is None:
        raise NotFoundError(f"周期 {cycle.key} 没有第 {number} 号督办单")
    return order


def list_orders(session: Session, cycle: Cycle) -> list[SupervisionOrder]:
    """The cycle's orders by number."""
    return list(session.scalars(select(SupervisionOrder).where(SupervisionOrder.cycle_id == cycle.id).order_by(SupervisionOrder.number)))


def issue_order(session: Session, cycle: Cycle, unit_code: str, issue: str, due_day: dt.date, *, by: str, now: dt.datetime,
                calendar: WorkdayCalendar) -> tuple[SupervisionOrder, int]:
    """Issue an order to a unit, due by the end of ``due_day``; return it and how many messages were queued."""
    unit = get_unit(session, cycle, unit_code)
    if not issue.strip():
        raise InputError("督办事项不能为空")
    due_at = end_of_day(due_day)
    if due_at <= now:
        raise InputError(f"督办单截止日期 {due_day.isoformat()} 已过")
    number = (session.scalar(select(func.max(SupervisionOrder.number)).where(SupervisionOrder.cycle_id == cycle.id)) or 0) + 1
    scheme = scheme_of(cycle)
    stage = CycleStage(
        key=order_stage_key(number), position=max((s.position for s in cycle.stages), default=-1) + 1,
        name=_short(issue.strip()), kind=ORDER_STAGE_KIND, actor=unit.role, clause=supervision_clause(scheme),
        opens_at=now, due_at=due_at, source_due=due_day, adjusted=False, reason=None, date_origin="order",
        holiday_policy="keep", provisional=calendar.is_provisional(due_day), status="open", opened_at=now,
    )
    cycle.stages.append(stage)
    session.flush()
    session.add(Obligation(cycle_id=cycle.id, stage_id=stage.id, unit_id=unit.id, due_at=due_at, created_at=now, updated_at=now))
    order = SupervisionOrder(cycle_id=cycle.id, number=number, unit_id=unit.id, stage_id=stage.id, issue=issue.strip(),
                             issued_at=now, issued_by=by, due_at=due_at, status="open", scores=[])
    session.add(order)
    session.flush()
    deliveries = [Delivery(stage.key, unit.code, unit.code, "supervision_order", f"supervision_order@{number}", now, due_at)]
    plan = unit_reminder_plan(scheme)
    if plan is not None:
        supervisors = escalation_targets(cycle).get(unit.code, [])
        for wave in order_waves(stage.key, now.date(), due_day, plan, calendar, plan.at or cycle.office_hours):
            if wave.at <= now:
                continue
            recipients = [unit.code] if wave.kind in UNIT_KINDS else supervisors if wave.kind == "escalation" else []
            deliveries += [Delivery(stage.key, unit.code, who, wave.kind, wave.wave, wave.at, due_at) for who in recipients]
    extra: dict[str, dict[str, object]] = {unit.code: {"order_no": order_no(cycle.year, number), "issue": order.issue,
                                                       "deliverables": ORDER_DELIVERABLES}}
    queued = enqueue(session, render_deliveries(cycle, deliveries, extra), now)
    mark_schedule_stale(cycle, now)  # the order's deadline and waves are new instants for the cycle's scheduled runs
    record(session, actor=by, action="order.issued", cycle_id=cycle.id, subject=order_no(cycle.year, number), at=now,
           detail={"unit": unit.code, "issue": order.issue, "due": due_at.isoformat(), "messages": queued})
    return order, queued


def close_order(session: Session, cycle: Cycle, number: int, *, file_name: str, sha256: str, size: int, stored_path: str,
                by: str, now: dt.datetime) -> SupervisionOrder:
    """Close an order with its evidence: the unit's obligation is done and its pending reminders are cancelled."""
    order = get_order(session, cycle, number)
    if order.status == "closed":
        raise StateError(f"督办单{order_no(cycle.year, number)}已于 {order.closed_at.isoformat() if order.closed_at else ''} 办结")
    stage = session.get(CycleStage, order.stage_id)
    obligation = session.scalar(select(Obligation).where(Obligation.stage_id == order.stage_id, Obligation.unit_id == order.unit_id))
    assert stage is not None and obligation is not None
    order.status, order.closed_at, order.closed_by = "closed", now, by
    order.evidence_file_name, order.evidence_sha256, order.evidence_size, order.evidence_path = file_name, sha256, size, stored_path
    unit_code = next(u.code for u in cycle.units if u.id == order.unit_id)
    if obligation.status in ("pending", "overdue"):
        complete(session, cycle, unit_code, stage.key, at=now, actor=by)
    session.execute(update(OutboxMessage).where(
        OutboxMessage.cycle_id == cycle.id, OutboxMessage.stage_key == stage.key, OutboxMessage.status == "pending",
        OutboxMessage.kind.in_(REMINDER_KINDS[1:]),
    ).values(status="cancelled"), execution_options={"synchronize_session": False})
    stage.status, stage.closed_at = "closed", now
    record(session, actor=by, action="order.closed", cycle_id=cycle.id, subject=order_no(cycle.year, number), at=now,
           detail={"unit": unit_code, "evidence": file_name, "sha256": sha256, "late_by_seconds": late_by_seconds(now, order.due_at)})
    return order


def score_order(session: Session, cycle: Cycle, number: int, scores: Mapping[str, Decimal], *, note: str | None, by: str,
                now: dt.datetime) -> tuple[SupervisionOrder, int]:
    """Record a verification scoring of an order and send the unit its immediate feedback; return the order and messages queued."""
    if not scores:
        raise InputError("至少给出一项评分（项目=分数）")
    order = get_order(session, cycle, number)
    unit = next(u for u in cycle.units if u.id == order.unit_id)
    scheme = scheme_of(cycle)
    total = sum(scores.values(), Decimal(0))
    entry = {"at": now.isoformat(), "by": by, "scores": {k: format(v, "f") for k, v in scores.items()},
             "total": format(total, "f"), "note": note}
    order.scores = [*order.scores, entry]
    index = len(order.scores)
    subject, body = feedback_message(unit=unit.name, number=order_no(cycle.year, number), issue=order.issue, scheme=scheme.name,
                                     clause=supervision_clause(scheme), scores=scores, note=note, by=by,
                                     office=scheme.roles.get("coordinator"))
    stage_key = order_stage_key(number)
    messages = [
        Outgoing(key=f"{cycle.key}:{stage_key}:{unit.code}:order_feedback:{index}:{channel}", cycle_id=cycle.id,
                 stage_key=stage_key, unit_id=unit.id, kind="order_feedback", wave=f"order_feedback@{index}", channel=channel,
                 recipient=unit.contacts[channel], subject=subject, body=body, send_after=now)
        for channel in MESSAGE_CHANNELS if unit.contacts.get(channel)
    ]
    queued = enqueue(session, messages, now)
    record(session, actor=by, action="order.scored", cycle_id=cycle.id, subject=order_no(cycle.year, number), at=now,
           detail={**entry, "messages": queued})
    return order, queued


REPLY_MAX_CHARS = 2000


def acknowledge_order(session: Session, cycle: Cycle, order: SupervisionOrder, *, by: str, now: dt.datetime,
                      detail: Mapping[str, object] | None = None) -> bool:
    """The unit signs for the order (签收), also a response in the delivery record (催办记录); True when recorded now,
    False when it was signed for before (kept as it was)."""
    if order.acknowledged_at is not None:
        return False
    order.acknowledged_at, order.acknowledged_by = now, by
    unit_code = _unit_code(cycle, order)
    record(session, actor=by, action="order.acknowledged", cycle_id=cycle.id, subject=order_no(cycle.year, order.number), at=now,
           detail={"unit": unit_code, **(detail or {})})
    from kaohe.store.proof import record_link_event

    record_link_event(session, cycle, unit_code, "acknowledged", at=now, actor=by, stage=order_stage_key(order.number),
                      detail={"order_no": order_no(cycle.year, order.number), **(detail or {})})  # the 催办记录 shows the 签收
    return True


def reply_order(session: Session, cycle: Cycle, order: SupervisionOrder, text: str, *, by: str, now: dt.datetime,
                detail: Mapping[str, object] | None = None) -> dict[str, str]:
    """The unit's reply (回复) to the order: kept with the order, oldest first, and audited. Replying signs for it too."""
    text = text.strip()
    if not text:
        raise InputError("回复内容不能为空")
    if len(text) > REPLY_MAX_CHARS:
        raise InputError(f"回复不能超过 {REPLY_MAX_CHARS} 字（现 {len(text)} 字）；详细材料请作为佐证材料上传")
    acknowledge_order(session, cycle, order, by=by, now=now, detail=detail)
    entry = {"at": now.isoformat(), "by": by, "text": text}
    order.replies = [*order.replies, entry]
    record(session, actor=by, action="order.replied", cycle_id=cycle.id, subject=order_no(cycle.year, order.number), at=now,
           detail={"unit": _unit_code(cycle, order), "text": text, "reply": len(order.replies), **(detail or {})})
    return entry


def _unit_code(cycle: Cycle, order: SupervisionOrder) -> str:
    return str(next(u.code for u in cycle.units if u.id == order.unit_id))


def _short(issue: str, limit: int = 30) -> str:
    return issue if len(issue) <= limit else issue[: limit - 1] + "…"
