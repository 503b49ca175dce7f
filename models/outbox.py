"""The notification outbox: one row per message a unit must receive, unique per wave."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base, utcnow


class OutboxMessage(Base):
    """A message to send. ``key`` = cycle:stage:unit:kind:wave makes a second enqueue a no-op.

    Status: ``pending`` → ``sending`` (claimed by a dispatcher) → ``sent`` | ``failed``
    (retries exhausted or refused) | ``uncertain`` (the process died after handing it to a channel
    that takes no idempotency key) | ``cancelled`` (the unit completed, or the wave was re-planned).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_send_after", "status", "send_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    stage_key: Mapped[str | None] = mapped_column(String(100))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True, doc="the recipient")
    about_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), index=True, doc="the unit the message is about (an escalation's overdue unit)")
    kind: Mapped[str] = mapped_column(String(50))
    wave: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(50))
    recipient: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    send_after: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    remote_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_as: Mapped[str | None] = mapped_column(String(300), doc="key of the message that carried it (a digest's, or its own)")
    answer: Mapped[str | None] = mapped_column(Text, doc="what the receiving server answered (SMTP reply, robot errcode, HTTP status)")
    extras: Mapped[dict[str, Any]] = mapped_column(default=dict, doc=(
        "what a channel needs beyond subject and body: attachments [{filename, path, mimetype}], sender_name, "
        "reply_to, mentions (mobiles), link, sms (template parameters)"))
    fallback_of: Mapped[str | None] = mapped_column(String(300), doc="key of the message on a failed channel this one replaces")
