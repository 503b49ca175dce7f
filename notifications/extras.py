"""What an outbox row keeps beyond subject and body (``extras``), and the Message built from it at send time.

``extras`` is plain JSON: ``attachments`` ([{filename, path, mimetype}], files read when sending),
``sender_name``, ``reply_to``, ``mentions`` (mobiles), ``link`` and ``sms`` ({name: value}).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from kaohe.errors import DeliveryError
from kaohe.notifications.links import LINK_MARKER, LinkSigner, fill_link
from kaohe.notifications.message import Attachment, Message

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_KNOWN = {".docx": DOCX, ".pdf": "application/pdf", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def attachment_ref(path: Path, filename: str | None = None) -> dict[str, str]:
    """The reference an outbox row keeps for ``path`` (made absolute), sent under ``filename`` (default: its name)."""
    name = filename or path.name
    mimetype = _KNOWN.get(path.suffix.lower()) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return {"filename": name, "path": str(path.resolve()), "mimetype": mimetype}


def load_attachments(refs: Iterable[Mapping[str, Any]] | None) -> tuple[Attachment, ...]:
    """The files behind ``refs``; a missing file is a non-retryable DeliveryError naming it."""
    loaded = []
    for ref in refs or ():
        try:
            content = Path(ref["path"]).read_bytes()
        except OSError as error:
            raise DeliveryError(f"附件无法读取：{ref.get('filename')}（{error.strerror}）", retryable=False) from None
        loaded.append(Attachment(filename=ref["filename"], content=content, mimetype=ref.get("mimetype") or "application/octet-stream"))
    return tuple(loaded)


def message_from_row(key: str, kind: str, channel: str, recipient: str, subject: str, body: str,
                     extras: Mapping[str, Any] | None, *, signer: LinkSigner | None = None) -> Message:
    """The Message for an outbox row, its task link signed by ``signer``; an unreadable attachment becomes
    the message's ``problem``, not an exception."""
    extras = extras or {}
    ref = extras.get("link")
    link = signer(ref) if signer is not None and ref else None
    problem = None
    try:
        attachments = load_attachments(extras.get("attachments"))
    except DeliveryError as error:
        attachments, problem = (), str(error)
    return Message(
        key=key, kind=kind, channel=channel, recipient=recipient, subject=subject,
        body=body.replace(LINK_MARKER, link) if link else fill_link(body, None, None), attachments=attachments,
        sender_name=extras.get("sender_name"), reply_to=extras.get("reply_to"),
        mentions=tuple(str(m) for m in extras.get("mentions") or ()), links=(link,) if link else (),
        sms=tuple((str(k), str(v)) for k, v in (extras.get("sms") or {}).items()), problem=problem,
    )
