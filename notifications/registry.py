"""Build channels by name from Settings, an httpx client and an SMTP transport."""

from __future__ import annotations

import httpx

from kaohe.errors import ConfigError
from kaohe.notifications.channel import Channel, Clock, utc_now
from kaohe.notifications.dingtalk import DingTalkChannel
from kaohe.notifications.email import AiosmtplibTransport, EmailChannel, SmtpTransport
from kaohe.notifications.feishu import FeishuChannel
from kaohe.notifications.webhook import WebhookChannel
from kaohe.notifications.wecom import WeComChannel
from kaohe.settings import Settings

CHANNEL_NAMES: tuple[str, ...] = ("email", "wecom", "dingtalk", "feishu", "webhook")


def build_channel(
    name: str,
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    smtp: SmtpTransport | None = None,
    clock: Clock = utc_now,
) -> Channel:
    """The channel called ``name``; e-mail uses ``smtp`` or, if None, the real transport from settings."""
    if name == "email":
        return EmailChannel(smtp or AiosmtplibTransport.from_settings(settings), sender=settings.smtp_sender, clock=clock)
    if name == "wecom":
        return WeComChannel(http, base_url=settings.wecom_base_url, clock=clock)
    if name == "dingtalk":
        secret = settings.dingtalk_secret.get_secret_value() if settings.dingtalk_secret else None
        return DingTalkChannel(http, secret=secret, base_url=settings.dingtalk_base_url, clock=clock)
    if name == "feishu":
        secret = settings.feishu_secret.get_secret_value() if settings.feishu_secret else None
        return FeishuChannel(http, secret=secret, base_url=settings.feishu_base_url, clock=clock)
    if name == "webhook":
        return WebhookChannel(http, clock=clock)
    raise ConfigError(f"未知的通知渠道：{name!r}（可用：{'、'.join(CHANNEL_NAMES)}）")


def build_channels(
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    smtp: SmtpTransport | None = None,
    names: tuple[str, ...] = CHANNEL_NAMES,
    clock: Clock = utc_now,
) -> dict[str, Channel]:
    """Every channel in ``names``, keyed by name."""
    return {name: build_channel(name, settings, http, smtp=smtp, clock=clock) for name in names}
