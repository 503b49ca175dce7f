"""Fallback: when a message failed for good on one channel, send it over the next channel its roster row
names (see :mod:`kaohe.notifications.addressing`). The new row records which message it replaces."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.models import OutboxMessage, Unit
from kaohe.store.outbox import Outgoing, enqueue


def _base(key: str, channel: str) -> str:
    suffix = f":{channel}"
    return key[: -len(suffix)] if key.endswith(suffix) else key


def enqueue_fallbacks(session: Session, *, cycle_id: int | None, now: dt.datetime) -> int:
    """For every failed message without a fallback yet, queue it on the unit's next channel (due at once);
    return how many were queued. A message with no further channel stays failed."""
    from kaohe.notifications.addressing import address_for, fallback_channel

    query = select(OutboxMessage).where(OutboxMessage.status == "failed", OutboxMessage.unit_id.is_not(None))
    if cycle_id is not None:
        query = query.where(OutboxMessage.cycle_id == cycle_id)
    failed = list(session.scalars(query))
    if not failed:
        return 0
    replaced = set(session.scalars(select(OutboxMessage.fallback_of).where(OutboxMessage.fallback_of.in_([r.key for r in failed]))))
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({r.unit_id for r in failed})))}
    messages: list[Outgoing] = []
    for row in failed:
        if row.key in replaced:
            continue
        unit = units[cast(int, row.unit_id)]  # the query keeps rows with a unit only
        base = _base(row.key, row.channel)
        used = [c for c in ("email", "wecom", "dingtalk", "feishu", "webhook", "sms")
                if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == f"{base}:{c}")) is not None]
        channel = fallback_channel(row.channel, unit.contacts, unit.attributes, used)
        if channel is None:
            continue
        messages.append(Outgoing(
            key=f"{base}:{channel}", cycle_id=row.cycle_id, stage_key=row.stage_key, unit_id=row.unit_id, kind=row.kind,
            wave=row.wave, channel=channel, recipient=address_for(channel, unit.contacts) or "", subject=row.subject,
            body=row.body, send_after=now, about_unit_id=row.about_unit_id, extras=dict(row.extras or {}), fallback_of=row.key,
        ))
    return enqueue(session, messages, now)
