"""WeCom (企业微信) group robot: markdown to ``{base}/cgi-bin/webhook/send?key=KEY``."""

from __future__ import annotations

import httpx

from kaohe.notifications.channel import (
    Clock,
    check_channel,
    check_robot_reply,
    mask,
    post_json,
    utc_now,
)
from kaohe.notifications.formats import check_size, json_bytes, wecom_payload
from kaohe.notifications.message import Message, Receipt

WECOM_RETRYABLE_CODES = frozenset({-1, 45009})


class WeComChannel:
    """Sends to a WeCom group robot; the message's recipient is the robot's key."""

    name = "wecom"
    takes_idempotency_key = False
    per_minute_limit: int | None = 20
    merges_into_digest = True

    def __init__(self, client: httpx.AsyncClient, *, base_url: str = "https://qyapi.weixin.qq.com", clock: Clock = utc_now) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/cgi-bin/webhook/send"
        self._clock = clock

    async def send(self, message: Message) -> Receipt:
        """Post the message as markdown; success only when the reply's ``errcode`` is 0."""
        check_channel(self.name, message)
        check_size(message)
        label = f"企业微信机器人（{mask(message.recipient)}）"
        status, data, _ = await post_json(
            self._client, self._url, label=label, content=json_bytes(wecom_payload(message)), params={"key": message.recipient}
        )
        answer = check_robot_reply(status, data, label=label, code_fields=("errcode",), message_fields=("errmsg",), retryable_codes=WECOM_RETRYABLE_CODES)
        return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=None, answer=answer)
