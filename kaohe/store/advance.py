"""Loading a cycle's snapshot for the pure engine, and recording what the engine decided."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import String, TypeDecorator, select, type_coerce, update
from sqlalchemy.orm import Session, object_session

from kaohe.clock import BEIJING
from kaohe.engine.state import Decisions, Delivery, ObligationState, StageState
from kaohe.models import Cycle, CycleStage, Obligation, Unit
from kaohe.schemes.model import Scheme
from kaohe.store.audit import record
from kaohe.store.outbox import Outgoing, enqueue

MESSAGE_CHANNELS = ("email", "wecom", "dingtalk", "feishu", "webhook")


def scheme_of(cycle: Cycle) -> Scheme:
    """The scheme as it was when the cycle was created (later edits of the file do not leak in)."""
    return Scheme.model_validate(cycle.scheme_snapshot)


def stage_states(cycle: Cycle) -> list[StageState]:
    """The cycle's stages with their reminder plans."""
    scheme = scheme_of(cycle)
    plans = {s.id: scheme.reminder_plans[s.reminders] if s.reminders else None for s in scheme.stages}
    return [StageState(s.key, s.kind, s.actor, s.opens_at, s.due_at, s.status, plans.get(s.key)) for s in cycle.stages]


def obligation_states(session: Session, cycle: Cycle, *, owing_only: bool = False) -> list[ObligationState]:
    """The cycle's obligations as plain data (with ``owing_only``, only those not done or waived).

    Plain column selects; a cycle's obligations share a handful of due dates, so each distinct stored
    value is turned into an aware datetime once, not once per row.
    """
    query = (
        select(Obligation.id, CycleStage.key, Unit.code, type_coerce(Obligation.due_at, _RawDue()), Obligation.status)
        .join(CycleStage, Obligation.stage_id == CycleStage.id).join(Unit, Obligation.unit_id == Unit.id)
        .where(Obligation.cycle_id == cycle.id)
    )
    if owing_only:
        query = query.where(Obligation.status.in_(("pending", "overdue")))
    dialect = session.get_bind().dialect
    processor = Obligation.__table__.c.due_at.type.dialect_impl(dialect).result_processor(dialect, None)
    parsed: dict[object, dt.datetime] = {}

    def due(value: object) -> dt.datetime:
        found = parsed.get(value)
        if found is None:
            found = parsed[value] = processor(value) if processor is not None else value  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    return [ObligationState(row_id, stage, unit, due(raw), status) for row_id, stage, unit, raw, status in session.execute(query)]


class _RawDue(TypeDecorator[object]):
    """The due date column as the driver returns it (parsed by ``obligation_states``, once per value)."""

    impl = String
    cache_ok = True


def escalation_targets(cycle: Cycle) -> dict[str, list[str]]:
    """Unit code → the codes its overdue notices escalate to: its supervisor, else the coordinators."""
    session = object_session(cycle)
    assert session is not None, "the cycle must belong to a session"
    units = session.execute(select(Unit.code, Unit.role, Unit.supervisor_code).where(Unit.cycle_id == cycle.id)).all()
    codes = {code for code, _, _ in units}
    coordinators = [code for code, role, _ in units if role == "coordinator"]
    return {code: [supervisor] if supervisor in codes else coordinators for code, _, supervisor in units}


def apply_decisions(session: Session, cycle: Cycle, decisions: Decisions, *, now: dt.datetime, actor: str) -> dict[str, int]:
    """Record stage transitions and overdue marks, enqueue the deliveries; return counts."""
    stages = {s.key: s for s in cycle.stages}
    for key in decisions.open_stages:
        stages[key].status, stages[key].opened_at = "open", now
        record(session, actor=actor, action="stage.opened", cycle_id=cycle.id, subject=key, at=now)
    for key in decisions.close_stages:
        stages[key].status, stages[key].closed_at = "closed", now
        if stages[key].opened_at is None:
            stages[key].opened_at = now
        record(session, actor=actor, action="stage.closed", cycle_id=cycle.id, subject=key, at=now)
    if decisions.mark_overdue:
        for start in range(0, len(decisions.mark_overdue), 500):
            ids = decisions.mark_overdue[start:start + 500]
            session.execute(
                update(Obligation).where(Obligation.id.in_(ids), Obligation.status == "pending")
                .values(status="overdue", overdue_since=now, updated_at=now),
                execution_options={"synchronize_session": False},
            )
    queued = enqueue(session, render_deliveries(cycle, decisions.deliveries), now)
    if cycle.parent_id is not None:
        from kaohe.cascade.apply import remind_unacknowledged
        from kaohe.workdays import configured_calendar

        queued += remind_unacknowledged(session, cycle, now, configured_calendar())
    cycle.advanced_to = now if cycle.advanced_to is None or now > cycle.advanced_to else cycle.advanced_to
    return {"opened": len(decisions.open_stages), "closed": len(decisions.close_stages),
            "overdue": len(decisions.mark_overdue), "queued": queued, "skipped_waves": decisions.skipped_waves}


def render_deliveries(cycle: Cycle, deliveries: Sequence[Delivery],
                      extra: dict[str, dict[str, object]] | None = None) -> list[Outgoing]:
    """One outbox message per delivery and per channel its recipient has, rendered in Chinese.

    ``extra`` adds template variables per unit code (e.g. ``old_due`` for a changed deadline).
    """
    from kaohe.notifications.render import render

    if not deliveries:
        return []
    scheme = scheme_of(cycle)
    units = {u.code: u for u in cycle.units}
    stages = {s.key: s for s in cycle.stages}
    submit = {s.id: s.submit for s in scheme.stages}
    cache: dict[tuple[str, str, str, str, str], tuple[str, str]] = {}
    messages: list[Outgoing] = []
    for delivery in deliveries:
        unit, recipient, stage = units[delivery.unit_code], units[delivery.recipient_code], stages[delivery.stage_key]
        cache_key = (delivery.kind, delivery.stage_key, delivery.unit_code, delivery.recipient_code, delivery.wave)
        if cache_key not in cache:
            context = _context(scheme, cycle, stage, unit, recipient, delivery, submit)
            context.update((extra or {}).get(delivery.unit_code, {}))
            cache[cache_key] = render(delivery.kind, context)
        subject, body = cache[cache_key]
        for channel in MESSAGE_CHANNELS:
            address = recipient.contacts.get(channel)
            if not address:
                continue
            messages.append(Outgoing(
                key=f"{cycle.key}:{delivery.key}:{channel}", cycle_id=cycle.id, stage_key=delivery.stage_key,
                unit_id=recipient.id, kind=delivery.kind, wave=delivery.wave, channel=channel, recipient=address,
                subject=subject, body=body, send_after=delivery.at, about_unit_id=unit.id,
            ))
    return messages


def _context(scheme: Scheme, cycle: Cycle, stage: CycleStage, unit: Unit, recipient: Unit, delivery: Delivery,
             submit: dict[str, list[str]]) -> dict[str, object]:
    due_day = delivery.due_at.astimezone(BEIJING).date()
    wave_day = delivery.at.astimezone(BEIJING).date()
    return {
        "unit": unit.name, "stage": stage.name, "due": delivery.due_at, "clause": stage.clause, "scheme": scheme.name,
        "cycle": cycle.year, "deliverables": submit.get(stage.key) or [stage.name], "provisional": stage.provisional,
        "days_left": max((due_day - wave_day).days, 0), "days_overdue": max((wave_day - due_day).days, 0),
        "supervisor": recipient.name, "opens": stage.opens_at, "office": scheme.roles.get("coordinator"),
    }
