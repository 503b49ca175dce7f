"""The plain data a channel sends and what it hands back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail; robot channels list its name only."""

    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    """One rendered message for one recipient over one channel.

    ``key`` is the idempotency key, unique per (cycle, stage, unit, kind, wave); see :func:`message_key`.
    ``recipient`` is an e-mail address (``"名称 <addr>"`` allowed, several separated by commas),
    a robot's key/token (wecom, dingtalk, feishu) or a full URL (webhook).
    """

    key: str
    kind: str
    channel: str
    recipient: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    sender_name: str | None = None
    """The office's display name for an e-mail's From (the address is the configured sender)."""
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()
    """Mobiles of the responsible people, for robots that can @-mention by mobile."""
    links: tuple[str, ...] = ()
    """The task pages the message points at (kaohe's own links: the only text made clickable)."""
    sms: tuple[tuple[str, str], ...] = ()
    """SMS template parameters (name, value); SMS carries no free text."""
    problem: str | None = None
    """Why the message cannot be sent as stored (e.g. an attachment is missing); channels are not asked."""


@dataclass(frozen=True)
class Receipt:
    """Proof that a channel accepted a message; ``answer`` is what the receiving server said
    (the SMTP reply, the robot's errcode and errmsg, the webhook's HTTP status)."""

    key: str
    channel: str
    accepted_at: datetime
    remote_id: str | None = None
    answer: str | None = None


def message_key(cycle: object, stage: object, unit: object, kind: str, wave: object = 0) -> str:
    """The idempotency key of a message: ASCII, one part per field, each part percent-encoded."""
    return ":".join(quote(str(part), safe="") for part in (cycle, stage, unit, kind, wave))
