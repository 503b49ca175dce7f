"""Render and deliver one notification over one channel.

Public API (everything else is internal)::

    Message(key, kind, channel, recipient, subject, body, attachments=())   frozen; key = idempotency key
    Attachment(filename, content: bytes, mimetype)                           Receipt(key, channel, accepted_at, remote_id)
    message_key(cycle, stage, unit, kind, wave=0) -> str                     ASCII idempotency key

    KINDS                                                                    the ten message kinds
    render(kind, context) -> (subject, body)                                 Chinese templates; RenderError
    format_due(date | datetime | str) -> "2019年1月23日（星期三）24时前"
    build_message(kind, context, *, key, channel, recipient, attachments=()) -> Message

    Channel (protocol: name, takes_idempotency_key, per_minute_limit, merges_into_digest, async send(message) -> Receipt)
    EmailChannel(transport, *, sender)  SmtpTransport (protocol: async send(OutgoingMail))  AiosmtplibTransport(host, port, ...)
    compose_email(message, *, sender, date_header, ...) -> OutgoingMail(sender, recipients, data: bytes, message_id, utf8)
    WeComChannel(http, *, base_url)  DingTalkChannel(http, *, secret, base_url)  FeishuChannel(http, *, secret, base_url)
    WebhookChannel(http)
    build_channel(name, settings, http, *, smtp=None) / build_channels(settings, http, *, smtp=None) -> dict[str, Channel]

    merge_into_digests(messages) -> list[(Message, [original keys])]         per (channel, recipient) of a robot
    RateLimiter(limits) / RateLimiter.for_channels(channels); await limiter.acquire(channel, recipient)
    await send_with_retry(channel, message, *, attempts=4, base_delay=1.0, sleep=asyncio.sleep, rng=None, limiter=None)

Failures raise ``kaohe.errors.DeliveryError`` with ``retryable``. Every channel takes an injected
``clock`` (default: now, UTC). Local receivers for tests and simulation live in
``kaohe.testing.receivers`` (``LocalSmtpReceiver``, ``LocalWebhookReceiver``); the benchmarks' cheap SMTP server is
``kaohe.testing.smtp_sink.LeanSmtpSink``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kaohe.notifications.channel import Channel
from kaohe.notifications.digest import merge_into_digests
from kaohe.notifications.dingtalk import DingTalkChannel
from kaohe.notifications.email import AiosmtplibTransport, EmailChannel, OutgoingMail, SmtpTransport, compose_email
from kaohe.notifications.feishu import FeishuChannel
from kaohe.notifications.message import Attachment, Message, Receipt, message_key
from kaohe.notifications.ratelimit import RateLimiter
from kaohe.notifications.registry import CHANNEL_NAMES, build_channel, build_channels
from kaohe.notifications.render import KINDS, RenderError, format_due, render
from kaohe.notifications.retry import send_with_retry
from kaohe.notifications.webhook import WebhookChannel
from kaohe.notifications.wecom import WeComChannel


def build_message(
    kind: str,
    context: Mapping[str, Any],
    *,
    key: str,
    channel: str,
    recipient: str,
    attachments: tuple[Attachment, ...] = (),
) -> Message:
    """Render ``kind`` with ``context`` into a Message for ``recipient`` over ``channel``."""
    subject, body = render(kind, context)
    return Message(key=key, kind=kind, channel=channel, recipient=recipient, subject=subject, body=body, attachments=attachments)


__all__ = [
    "CHANNEL_NAMES",
    "KINDS",
    "AiosmtplibTransport",
    "Attachment",
    "Channel",
    "DingTalkChannel",
    "EmailChannel",
    "FeishuChannel",
    "Message",
    "OutgoingMail",
    "RateLimiter",
    "Receipt",
    "RenderError",
    "SmtpTransport",
    "WeComChannel",
    "WebhookChannel",
    "build_channel",
    "build_channels",
    "build_message",
    "compose_email",
    "format_due",
    "merge_into_digests",
    "message_key",
    "render",
    "send_with_retry",
]
