"""Loading a cycle's snapshot for the pure engine, and recording what the engine decided."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from sqlalchemy import String, TypeDecorator, select, type_coerce, update
from sqlalchemy.orm import Session, object_session

from kaohe.bulk import gc_paused
from kaohe.clock import BEIJING
from kaohe.engine.state import Decisions, Delivery, ObligationState, StageState
from kaohe.models import Cycle, CycleStage, Obligation, Unit
from kaohe.schemes.model import Scheme
from kaohe.schemes.snapshot import scheme_from_snapshot
from kaohe.store.audit import record
from kaohe.store.outbox import Outgoing, enqueue

if TYPE_CHECKING:
    from kaohe.notifications.addressing import Office

MESSAGE_CHANNELS = ("email", "wecom", "dingtalk", "feishu", "webhook")
"""The channels a roster row gives addresses for (SMS goes to its mobile; see kaohe.notifications.addressing)."""


def scheme_of(cycle: Cycle) -> Scheme:
    """The scheme as it was when the cycle was created (later edits of the file do not leak in)."""
    return scheme_from_snapshot(cycle.scheme_snapshot)


def stage_states(cycle: Cycle) -> list[StageState]:
    """The cycle's stages with their reminder plans."""
    scheme = scheme_of(cycle)
    plans = {s.id: scheme.reminder_plans[s.reminders] if s.reminders else None for s in scheme.stages}
    return [StageState(s.key, s.kind, s.actor, s.opens_at, s.due_at, s.status, plans.get(s.key)) for s in cycle.stages]


def obligation_states(session: Session, cycle: Cycle, *, owing_only: bool = False) -> list[ObligationState]:
    """The cycle's obligations as plain data (with ``owing_only``, only those not done or waived).

    Plain column selects run on the session's connection (no ORM row processing); a cycle's
    obligations share a handful of due dates, so each distinct stored value is turned into an aware
    datetime once, not once per row; each row becomes one named tuple.
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
    make = tuple.__new__
    states: list[ObligationState] = []
    with gc_paused():
        for row_id, stage, unit, raw, status in session.connection().execute(query):
            due = parsed.get(raw)
            if due is None:
                due = parsed[raw] = cast(dt.datetime, processor(raw) if processor is not None else raw)
            states.append(make(ObligationState, (row_id, stage, unit, due, status)))
    return states


class _RawDue(TypeDecorator[object]):
    """The due date column as the driver returns it (parsed by ``obligation_states``, once per value)."""

    impl = String
    cache_ok = True


def escalation_targets(cycle: Cycle) -> dict[str, list[str]]:
    """Unit code → the codes its overdue notices escalate to: its supervisor, else the coordinators."""
    session = object_session(cycle)
    assert session is not None, "the cycle must belong to a session"
    with gc_paused():
        units = session.connection().execute(select(Unit.code, Unit.role, Unit.supervisor_code).where(Unit.cycle_id == cycle.id)).all()
        codes = {code for code, _, _ in units}
        coordinators = [code for code, role, _ in units if role == "coordinator"]
        alone = [coordinators]
        return {code: [supervisor] if supervisor in codes else alone[0] for code, _, supervisor in units}


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
        from kaohe.db import calendar_of

        queued += remind_unacknowledged(session, cycle, now, calendar_of(session))
    cycle.advanced_to = now if cycle.advanced_to is None or now > cycle.advanced_to else cycle.advanced_to
    return {"opened": len(decisions.open_stages), "closed": len(decisions.close_stages),
            "overdue": len(decisions.mark_overdue), "queued": queued, "skipped_waves": decisions.skipped_waves}


def render_deliveries(cycle: Cycle, deliveries: Sequence[Delivery],
                      extra: dict[str, dict[str, object]] | None = None) -> list[Outgoing]:
    """One outbox message per delivery and per channel its recipient is reached by, rendered in Chinese.

    Each message says what to hand in and carries the task link (signed when it is sent), the office
    and its contact; ``extras`` keep the sender's name, Reply-To, the mobile to @-mention and the SMS
    parameters. Reminders and escalations for one recipient on one day are sent together (see
    :func:`kaohe.store.digests.align_to_daily_digest`). ``extra`` adds template variables per unit code.
    """
    if not deliveries:  # a quiet advance: no need for the notification modules (httpx, Jinja) in this process
        return []
    from kaohe.notifications.addressing import address_for, office_of, primary_channels
    from kaohe.notifications.render import render
    from kaohe.store.digests import align_to_daily_digest

    scheme = scheme_of(cycle)
    units = {u.code: u for u in cycle.units}
    stages = {s.key: s for s in cycle.stages}
    submit = {s.id: s.submit for s in scheme.stages}
    office = office_of(list(units.values()), scheme.roles.get("coordinator"))
    cache: dict[tuple[str, str, str, str, str], tuple[str, str, dict[str, object]]] = {}
    messages: list[Outgoing] = []
    for delivery in deliveries:
        unit, recipient, stage = units[delivery.unit_code], units[delivery.recipient_code], stages[delivery.stage_key]
        cache_key = (delivery.kind, delivery.stage_key, delivery.unit_code, delivery.recipient_code, delivery.wave)
        if cache_key not in cache:
            context = _context(scheme, cycle, stage, unit, recipient, delivery, submit, office)
            context.update((extra or {}).get(delivery.unit_code, {}))
            cache[cache_key] = (*render(delivery.kind, context), context)
        subject, body, context = cache[cache_key]
        extras = message_extras(cycle, office, recipient, delivery.kind, context,
                                link_unit=unit.code, link_stage=delivery.stage_key, link_until=delivery.due_at)
        for channel in primary_channels(recipient.contacts, recipient.attributes):
            messages.append(Outgoing(
                key=f"{cycle.key}:{delivery.key}:{channel}", cycle_id=cycle.id, stage_key=delivery.stage_key,
                unit_id=recipient.id, kind=delivery.kind, wave=delivery.wave, channel=channel,
                recipient=address_for(channel, recipient.contacts) or "", subject=subject, body=body, send_after=delivery.at,
                about_unit_id=unit.id, extras=extras,
            ))
    session = object_session(cycle)
    return align_to_daily_digest(session, messages, office_hours=cycle.office_hours) if session is not None else messages


def message_extras(cycle: Cycle, office: Office, recipient: Unit, kind: str, context: Mapping[str, object], *,
                   link_unit: str | None, link_stage: str | None, link_until: dt.datetime | None) -> dict[str, object]:
    """What the channels need beyond the text: sender name and Reply-To (the office), the recipient's
    mobile for an @-mention, the SMS template parameters and the task link to sign at send time."""
    from kaohe.notifications.addressing import mobile_of, sms_parameters
    from kaohe.notifications.links import link_ref
    mobile = mobile_of(recipient.contacts)
    extras: dict[str, object] = {"sms": sms_parameters(kind, context)}
    if office.name:
        extras["sender_name"] = office.name
    if office.email:
        extras["reply_to"] = office.email
    if mobile:
        extras["mentions"] = [mobile]
    if link_unit:
        extras["link"] = link_ref(cycle.key, link_unit, link_stage, link_until)
    return extras


def _context(scheme: Scheme, cycle: Cycle, stage: CycleStage, unit: Unit, recipient: Unit, delivery: Delivery,
             submit: dict[str, list[str]], office: Office) -> dict[str, object]:
    from kaohe.notifications.links import LINK_MARKER
    due_day = delivery.due_at.astimezone(BEIJING).date()
    wave_day = delivery.at.astimezone(BEIJING).date()
    return {
        "unit": unit.name, "stage": stage.name, "due": delivery.due_at, "clause": stage.clause, "scheme": scheme.name,
        "cycle": cycle.year, "deliverables": submit.get(stage.key) or [stage.name], "provisional": stage.provisional,
        "days_left": max((due_day - wave_day).days, 0), "days_overdue": max((wave_day - due_day).days, 0),
        "supervisor": recipient.name, "opens": stage.opens_at, "office": office.name, "contact": office.contact,
        "link": LINK_MARKER,
    }
