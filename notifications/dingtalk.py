"""DingTalk (钉钉) custom robot, signed: markdown to ``{base}/robot/send?access_token=TOKEN&timestamp=…&sign=…``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

import httpx

from kaohe.notifications.channel import (
    Clock,
    check_channel,
    check_robot_reply,
    mask,
    post_json,
    utc_now,
)
from kaohe.notifications.formats import check_size, dingtalk_payload, json_bytes
from kaohe.notifications.message import Message, Receipt

DINGTALK_RETRYABLE_CODES = frozenset({-1, 130101})


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")); URL-encoding is left to the query string."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class DingTalkChannel:
    """Sends to a DingTalk robot; the recipient is its access token; signs when a secret is given."""

    name = "dingtalk"
    takes_idempotency_key = False
    per_minute_limit: int | None = 20
    merges_into_digest = True

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        secret: str | None = None,
        secrets: Mapping[str, str] | None = None,
        base_url: str = "https://oapi.dingtalk.com",
        clock: Clock = utc_now,
    ) -> None:
        self._client = client
        self._secret = secret
        self._secrets = dict(secrets or {})
        self._url = base_url.rstrip("/") + "/robot/send"
        self._clock = clock

    async def send(self, message: Message) -> Receipt:
        """Post the message as markdown with a title; success only when the reply's ``errcode`` is 0."""
        check_channel(self.name, message)
        check_size(message)
        params = {"access_token": message.recipient}
        secret = self._secrets.get(message.recipient, self._secret)
        if secret:
            timestamp = int(self._clock().timestamp() * 1000)
            params |= {"timestamp": str(timestamp), "sign": dingtalk_sign(timestamp, secret)}
        label = f"钉钉机器人（{mask(message.recipient)}）"
        status, data, _ = await post_json(self._client, self._url, label=label, content=json_bytes(dingtalk_payload(message)), params=params)
        answer = check_robot_reply(status, data, label=label, code_fields=("errcode",), message_fields=("errmsg",), retryable_codes=DINGTALK_RETRYABLE_CODES)
        return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=None, answer=answer)
