"""Feishu (飞书) custom bot, signed: a ``post`` message to ``{base}/open-apis/bot/v2/hook/TOKEN``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

import httpx

from kaohe.notifications.channel import (
    Clock,
    check_channel,
    check_robot_reply,
    mask,
    post_json,
    utc_now,
)
from kaohe.notifications.formats import check_size, feishu_payload, json_bytes
from kaohe.notifications.message import Message, Receipt

FEISHU_RETRYABLE_CODES = frozenset({9499, 11232})


def feishu_sign(timestamp_s: int, secret: str) -> str:
    """base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FeishuChannel:
    """Sends to a Feishu bot; the recipient is the hook token; signs when a secret is given."""

    name = "feishu"
    takes_idempotency_key = False
    per_minute_limit: int | None = 100
    per_second_limit = 5
    merges_into_digest = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        secret: str | None = None,
        secrets: Mapping[str, str] | None = None,
        base_url: str = "https://open.feishu.cn",
        clock: Clock = utc_now,
    ) -> None:
        self._client = client
        self._secret = secret
        self._secrets = dict(secrets or {})
        self._base = base_url.rstrip("/") + "/open-apis/bot/v2/hook/"
        self._clock = clock

    async def send(self, message: Message) -> Receipt:
        """Post the message; success only when the reply's ``code`` (older replies: ``StatusCode``) is 0."""
        check_channel(self.name, message)
        check_size(message)
        payload = feishu_payload(message)
        secret = self._secrets.get(message.recipient, self._secret)
        if secret:
            timestamp = int(self._clock().timestamp())
            payload = {"timestamp": str(timestamp), "sign": feishu_sign(timestamp, secret), **payload}
        label = f"飞书机器人（{mask(message.recipient)}）"
        url = self._base + quote(message.recipient, safe="")
        status, data, _ = await post_json(self._client, url, label=label, content=json_bytes(payload))
        answer = check_robot_reply(
            status,
            data,
            label=label,
            code_fields=("code", "StatusCode"),
            message_fields=("msg", "StatusMessage"),
            retryable_codes=FEISHU_RETRYABLE_CODES,
        )
        return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=None, answer=answer)
