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


@dataclass(frozen=True)
class Receipt:
    """Proof that a channel accepted a message."""

    key: str
    channel: str
    accepted_at: datetime
    remote_id: str | None = None


def message_key(cycle: object, stage: object, unit: object, kind: str, wave: object = 0) -> str:
    """The idempotency key of a message: ASCII, one part per field, each part percent-encoded."""
    return ":".join(quote(str(part), safe="") for part in (cycle, stage, unit, kind, wave))
