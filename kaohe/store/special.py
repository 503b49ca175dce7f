"""Recording a phase of special verification (鄂尔多斯 第八条（三）) and sending each unit its immediate feedback (第十条).

The scores are kept in the audit record (``special_verification.scored``: file, hash, every unit's score,
problems and advice). Each scored unit gets one ``special_feedback`` message per channel, keyed by what it
says: the same scoring recorded twice queues nothing new; a changed score or finding queues a correction
that says which feedback it replaces. The coordinator's obligations on the verification stage and on its
feedback stage are completed once every assessed unit has been scored and told, so until then the office
keeps receiving the feedback stage's reminders (its reminder plan in the scheme) and, past its deadline,
the overdue notices.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from kaohe.clock import BEIJING
from kaohe.db import calendar_of
from kaohe.errors import StateError
from kaohe.models import Cycle, CycleStage, Obligation, OutboxMessage, Unit
from kaohe.results.special import FEEDBACK_KIND, VERIFICATION_KIND, SpecialScore, feedback_stage_of
from kaohe.store.advance import message_extras, scheme_of
from kaohe.store.audit import record
from kaohe.store.obligations import complete
from kaohe.store.outbox import Outgoing, deliver_at, enqueue

MESSAGE_KIND = "special_feedback"
OWING = ("pending", "overdue")


def verification_stages(cycle: Cycle, stage_key: str) -> tuple[CycleStage, CycleStage]:
    """The special verification stage ``stage_key`` and its immediate feedback stage; StateError naming what is wrong."""
    stages = {s.key: s for s in cycle.stages}
    stage = stages.get(stage_key)
    if stage is None or stage.kind != VERIFICATION_KIND:
        choices = "、".join(s.key for s in cycle.stages if s.kind == VERIFICATION_KIND) or "无"
        raise StateError(f"周期 {cycle.key} 没有专项核查阶段 {stage_key}（可选：{choices}）")
    planned = feedback_stage_of(scheme_of(cycle), stage_key)
    if planned is None or planned.id not in stages or stages[planned.id].kind != FEEDBACK_KIND:
        raise StateError(f"方案 {cycle.scheme_id} 没有在专项核查 {stage_key} 之后即时反馈的阶段（kind: {FEEDBACK_KIND}）")
    return stage, stages[planned.id]


def record_special_scores(session: Session, cycle: Cycle, stage_key: str, scores: Sequence[SpecialScore], *, file_name: str,
                          sha256: str, by: str, now: dt.datetime) -> dict[str, object]:
    """Record the scores and queue each unit's immediate feedback; what was done, as JSON."""
    stage, feedback = verification_stages(cycle, stage_key)
    if stage.opens_at is not None and now < stage.opens_at:
        raise StateError(f"“{stage.name}”自 {stage.opens_at.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）开始，尚未开始，不能记录评分")
    units = {u.code: u for u in cycle.units}
    earlier = _earlier_feedback(session, cycle, feedback.key)
    messages: list[Outgoing] = []
    corrections: list[str] = []
    for score in scores:
        unit = units[score.unit]
        previous = earlier.get(unit.id)
        fingerprint = score.fingerprint()
        corrected = previous[1] if previous is not None and previous[0] != fingerprint else None
        if corrected is not None:
            corrections.append(unit.code)
        messages += _messages(cycle, stage, feedback, unit, score, fingerprint, corrected, now)
    queued = enqueue(session, messages, now)
    told = _told_units(session, cycle, feedback.key) | {s.unit for s in scores}
    assessed = [u.code for u in cycle.units if u.role == "assessed"]
    remaining = [code for code in assessed if code not in told]
    completed = _complete_office(session, cycle, (stage, feedback), by=by, now=now) if not remaining else []
    result: dict[str, object] = {
        "cycle": cycle.key, "stage": stage.key, "feedback_stage": feedback.key, "file": file_name, "sha256": sha256,
        "scored": [s.to_json() for s in scores], "messages": queued, "corrections": corrections,
        "not_yet_scored": remaining, "completed": completed,
    }
    record(session, actor=by, action="special_verification.scored", cycle_id=cycle.id, subject=stage.key, at=now,
           detail={k: v for k, v in result.items() if k != "cycle"})
    return result


def _messages(cycle: Cycle, stage: CycleStage, feedback: CycleStage, unit: Unit, score: SpecialScore, fingerprint: str,
              corrected: dt.datetime | None, now: dt.datetime) -> list[Outgoing]:
    from kaohe.notifications.addressing import address_for, office_of, primary_channels
    from kaohe.notifications.render import render

    scheme = scheme_of(cycle)
    office = office_of(list(cycle.units), scheme.roles.get("coordinator"))
    context: dict[str, object] = {
        "unit": unit.name, "stage": stage.name, "clause": f"{stage.clause}、{feedback.clause}", "scheme": scheme.name,
        "cycle": cycle.year, "score": format(score.score, "f"), "problems": list(score.problems), "advice": list(score.advice),
        "corrected": corrected, "office": office.name, "contact": office.contact, "due": feedback.due_at,
    }
    subject, body = render(MESSAGE_KIND, context)
    extras = message_extras(cycle, office, unit, MESSAGE_KIND, context, link_unit=None, link_stage=None, link_until=None)
    wave = f"{MESSAGE_KIND}@{stage.key}#{fingerprint}"
    return [
        Outgoing(key=f"{cycle.key}:{feedback.key}:{unit.code}:{MESSAGE_KIND}:{wave}:{channel}", cycle_id=cycle.id,
                 stage_key=feedback.key, unit_id=unit.id, kind=MESSAGE_KIND, wave=wave, channel=channel,
                 recipient=address_for(channel, unit.contacts) or "", subject=subject, body=body,
                 send_after=deliver_at(now, cycle.office_hours, calendar_of(object_session(cycle))), extras=extras)
        for channel in primary_channels(unit.contacts, unit.attributes)
    ]


def _earlier_feedback(session: Session, cycle: Cycle, feedback_key: str) -> dict[int, tuple[str, dt.datetime]]:
    """Per unit id, the fingerprint and time of the latest feedback already queued for this stage."""
    rows = session.execute(
        select(OutboxMessage.unit_id, OutboxMessage.wave, OutboxMessage.created_at)
        .where(OutboxMessage.cycle_id == cycle.id, OutboxMessage.stage_key == feedback_key, OutboxMessage.kind == MESSAGE_KIND,
               OutboxMessage.fallback_of.is_(None))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    latest: dict[int, tuple[str, dt.datetime]] = {}
    for unit_id, wave, created in rows:
        if unit_id is not None:
            latest[unit_id] = (wave.rpartition("#")[2], created if created.tzinfo else created.replace(tzinfo=dt.timezone.utc))
    return latest


def _told_units(session: Session, cycle: Cycle, feedback_key: str) -> set[str]:
    rows = session.execute(select(Unit.code).join(OutboxMessage, OutboxMessage.unit_id == Unit.id).where(
        OutboxMessage.cycle_id == cycle.id, OutboxMessage.stage_key == feedback_key, OutboxMessage.kind == MESSAGE_KIND))
    return set(rows.scalars())


def _complete_office(session: Session, cycle: Cycle, stages: Sequence[CycleStage], *, by: str, now: dt.datetime) -> list[str]:
    done: list[str] = []
    for stage in stages:
        codes = session.execute(select(Unit.code).join(Obligation, Obligation.unit_id == Unit.id).where(
            Obligation.stage_id == stage.id, Obligation.status.in_(OWING))).scalars().all()
        for code in codes:
            complete(session, cycle, code, stage.key, at=now, actor=by)
            done.append(f"{stage.key}:{code}")
    return done
