"""At most one escalation digest and one reminder digest per recipient per day per channel.

The dispatcher merges the rows it sends together (:func:`kaohe.notifications.digest.merge_into_digests`);
this module makes sure the rows of one recipient's day are sent together: new rows of a digest class
join the earliest waiting row of the same recipient, channel and day, and when one has already gone
out that day they wait for the next working morning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.db import calendar_of
from kaohe.models import OutboxMessage
from kaohe.store.outbox import Outgoing, deliver_at

ESCALATION_KINDS = ("escalation",)
REMINDER_KINDS = ("stage_opened", "upcoming", "due_today", "overdue")
WAITING = ("pending",)
GONE = ("claimed", "sending", "sent", "uncertain")


def digest_class(kind: str) -> tuple[str, ...] | None:
    """The kinds that share a daily digest with ``kind`` (None: sent on its own)."""
    if kind in ESCALATION_KINDS:
        return ESCALATION_KINDS
    if kind in REMINDER_KINDS:
        return REMINDER_KINDS
    return None


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(BEIJING).date()


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), BEIJING)
    return start, start + dt.timedelta(days=1)


def align_to_daily_digest(session: Session, messages: Sequence[Outgoing], *, office_hours: str | None = None) -> list[Outgoing]:
    """``messages`` with the send times of digest rows moved so that each recipient gets, per channel and
    day, one escalation digest and one reminder digest at most."""
    groups: dict[tuple[int | None, str, tuple[str, ...], dt.date], list[int]] = {}
    for index, message in enumerate(messages):
        kinds = digest_class(message.kind)
        if kinds is not None and message.unit_id is not None:
            groups.setdefault((message.unit_id, message.channel, kinds, _day(message.send_after)), []).append(index)
    if not groups:
        return list(messages)
    result = list(messages)
    keys = {m.key for m in messages}
    for (unit_id, channel, kinds, day), indexes in groups.items():
        start, end = _day_bounds(day)
        earlier = session.execute(
            select(OutboxMessage.status, OutboxMessage.send_after).where(
                OutboxMessage.unit_id == unit_id, OutboxMessage.channel == channel, OutboxMessage.kind.in_(kinds),
                OutboxMessage.send_after >= start, OutboxMessage.send_after < end, OutboxMessage.key.not_in(keys),
            )
        ).all()
        hours = office_hours or "09:00"
        if any(status in GONE for status, _ in earlier):
            target = deliver_at(end, hours, calendar_of(session))
        else:
            waiting = [at for status, at in earlier if status in WAITING]
            target = min([*waiting, *(result[i].send_after for i in indexes)])
        for i in indexes:
            result[i] = replace(result[i], send_after=target)
    return result
