"""Generic JSON webhook: POST to the recipient URL with an ``Idempotency-Key`` header; any 2xx is success."""

from __future__ import annotations

import base64
import string
from typing import Any
from urllib.parse import quote

import httpx

from kaohe.errors import DeliveryError
from kaohe.notifications.channel import (
    Clock,
    check_channel,
    http_status_retryable,
    post_json,
    utc_now,
)
from kaohe.notifications.formats import json_bytes
from kaohe.notifications.message import Message, Receipt


def webhook_payload(message: Message) -> dict[str, Any]:
    """The JSON a webhook receives: the whole message, attachments base64-encoded."""
    return {
        "key": message.key,
        "kind": message.kind,
        "subject": message.subject,
        "body": message.body,
        "attachments": [
            {"filename": a.filename, "mimetype": a.mimetype, "content_base64": base64.b64encode(a.content).decode()}
            for a in message.attachments
        ],
    }


_HEADER_SAFE = "".join(c for c in string.punctuation if c != "%")


def idempotency_header(key: str) -> str:
    """The key as an HTTP header value: as is when printable ASCII, else percent-encoded (ASCII punctuation kept)."""
    return key if key.isascii() and key.isprintable() else quote(key, safe=_HEADER_SAFE)


class WebhookChannel:
    """Posts each message as JSON to the URL in its recipient; the receiver de-duplicates by key."""

    name = "webhook"
    takes_idempotency_key = True
    per_minute_limit: int | None = None
    merges_into_digest = False

    def __init__(self, client: httpx.AsyncClient, *, clock: Clock = utc_now) -> None:
        self._client = client
        self._clock = clock

    async def send(self, message: Message) -> Receipt:
        """POST the message; 2xx is success, 408/429/5xx retryable, any other status final."""
        check_channel(self.name, message)
        label = "Webhook"
        status, data, response = await post_json(
            self._client,
            message.recipient,
            label=label,
            content=json_bytes(webhook_payload(message)),
            headers={"Idempotency-Key": idempotency_header(message.key)},
        )
        if not 200 <= status < 300:
            raise DeliveryError(f"{label}拒绝消息：HTTP {status}", retryable=http_status_retryable(status), answer=f"HTTP {status}")
        remote_id = data.get("id") if isinstance(data, dict) else None
        remote_id = str(remote_id) if remote_id is not None else response.headers.get("X-Request-Id")
        return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=remote_id, answer=f"HTTP {status}")
