"""What every channel offers, and the HTTP plumbing the HTTP channels share."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

import httpx

from kaohe.errors import DeliveryError
from kaohe.notifications.message import Message, Receipt

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


@runtime_checkable
class Channel(Protocol):
    """A way to deliver one message: e-mail, a group robot or a webhook."""

    name: str
    takes_idempotency_key: bool
    per_minute_limit: int | None
    merges_into_digest: bool

    async def send(self, message: Message) -> Receipt:
        """Deliver ``message`` or raise ``DeliveryError`` (``retryable`` says whether to try again)."""
        ...


def mask(secret: str) -> str:
    """A robot key/token shortened for error messages."""
    return f"{secret[:4]}…" if len(secret) > 6 else "…"


def check_channel(channel: str, message: Message) -> None:
    """Refuse a message addressed to another channel."""
    if message.channel != channel:
        raise DeliveryError(f"消息 {message.key} 属于渠道 {message.channel}，不能经 {channel} 发送", retryable=False)


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    label: str,
    content: bytes,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, Any, httpx.Response]:
    """POST a JSON body; return (status, parsed JSON or None, response); transport failures become DeliveryError."""
    try:
        response = await client.post(
            url,
            params=params,
            content=content,
            headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        raise DeliveryError(f"{label}地址无效：{error}", retryable=False) from error
    except httpx.TimeoutException as error:
        raise DeliveryError(f"{label}请求超时（{type(error).__name__}）", retryable=True) from error
    except httpx.TransportError as error:
        raise DeliveryError(f"{label}连接失败：{type(error).__name__} {error}", retryable=True) from error
    try:
        data = response.json()
    except ValueError:
        data = None
    return response.status_code, data, response


def http_status_retryable(status: int) -> bool:
    """Whether an HTTP status may succeed on a later try (408, 425, 429, 5xx)."""
    return status in (408, 425, 429) or status >= 500


def check_robot_reply(
    status: int,
    data: Any,
    *,
    label: str,
    code_fields: tuple[str, ...],
    message_fields: tuple[str, ...],
    retryable_codes: Collection[int],
) -> str:
    """Raise DeliveryError unless the robot answered 2xx with a zero error code (an error code inside 200 fails);
    return the answer for the delivery record ("errcode 0 ok"), which a DeliveryError also carries."""
    code: Any = None
    if isinstance(data, dict):
        code = next((data[f] for f in code_fields if f in data), None)
        if isinstance(code, str) and code.lstrip("-").isdigit():
            code = int(code)
    text = ""
    if isinstance(data, dict):
        text = str(next((data[f] for f in message_fields if f in data), ""))
    answer = (f"errcode {code} {text}".rstrip() if code is not None else f"HTTP {status}")[:500]
    if 200 <= status < 300 and code == 0:
        return answer
    if not 200 <= status < 300:
        detail = f"HTTP {status}" + (f"，错误码 {code} {text}" if code is not None else "")
        retryable = http_status_retryable(status) or code in retryable_codes
        raise DeliveryError(f"{label}拒绝消息：{detail}", retryable=retryable, answer=f"HTTP {status} {answer}")
    if code is None:
        raise DeliveryError(f"{label}的回复无法识别（HTTP {status}，缺少错误码）", retryable=True, answer=answer)
    raise DeliveryError(f"{label}拒绝消息：错误码 {code} {text}".rstrip(), retryable=code in retryable_codes, answer=answer)
