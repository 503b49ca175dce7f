"""Build channels by name from Settings, an httpx client and an SMTP transport."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from kaohe.errors import ConfigError
from kaohe.notifications.channel import Channel, Clock, utc_now
from kaohe.notifications.dingtalk import DingTalkChannel
from kaohe.notifications.email import AiosmtplibTransport, EmailChannel, SmtpTransport
from kaohe.notifications.feishu import FeishuChannel
from kaohe.notifications.robot_secrets import load_robot_secrets, merged
from kaohe.notifications.sms import SmsChannel
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
    robot_secrets: Mapping[str, Mapping[str, str]] | None = None,
) -> Channel:
    """The channel called ``name``; e-mail uses ``smtp`` or, if None, the real transport from settings.

    ``robot_secrets`` (platform → robot → secret, e.g. from the roster) add to the secrets file of
    ``KAOHE_ROBOT_SECRETS_FILE``, which wins where both name a robot."""
    if name == "email":
        return EmailChannel(smtp or AiosmtplibTransport.from_settings(settings), sender=settings.smtp_sender,
                            reply_to=settings.office_reply_to, sender_name=settings.office_name, clock=clock)
    if name == "wecom":
        return WeComChannel(http, base_url=settings.wecom_base_url, clock=clock)
    if name == "dingtalk":
        secret = settings.dingtalk_secret.get_secret_value() if settings.dingtalk_secret else None
        secrets = merged(dict(robot_secrets or {}), load_robot_secrets(settings.robot_secrets_file))  # type: ignore[arg-type]
        return DingTalkChannel(http, secret=secret, secrets=secrets["dingtalk"], base_url=settings.dingtalk_base_url, clock=clock)
    if name == "feishu":
        secret = settings.feishu_secret.get_secret_value() if settings.feishu_secret else None
        secrets = merged(dict(robot_secrets or {}), load_robot_secrets(settings.robot_secrets_file))  # type: ignore[arg-type]
        return FeishuChannel(http, secret=secret, secrets=secrets["feishu"], base_url=settings.feishu_base_url, clock=clock)
    if name == "webhook":
        return WebhookChannel(http, clock=clock)
    if name == "sms":
        if not (settings.sms_provider and settings.sms_access_key_id and settings.sms_access_key_secret and settings.sms_sign_name):
            raise ConfigError("短信渠道需要 KAOHE_SMS_PROVIDER、KAOHE_SMS_ACCESS_KEY_ID、KAOHE_SMS_ACCESS_KEY_SECRET 和 KAOHE_SMS_SIGN_NAME")
        return SmsChannel(http, provider=settings.sms_provider, key_id=settings.sms_access_key_id,
                          secret=settings.sms_access_key_secret.get_secret_value(), sign_name=settings.sms_sign_name,
                          templates=settings.sms_templates, app_id=settings.sms_sdk_app_id, base_url=settings.sms_base_url, clock=clock)
    raise ConfigError(f"未知的通知渠道：{name!r}（可用：{'、'.join(CHANNEL_NAMES)}）")


def build_channels(
    settings: Settings,
    http: httpx.AsyncClient,
    *,
    smtp: SmtpTransport | None = None,
    names: tuple[str, ...] | None = None,
    clock: Clock = utc_now,
    robot_secrets: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Channel]:
    """Every channel in ``names`` (default: all, SMS only when ``KAOHE_SMS_PROVIDER`` is set), keyed by name."""
    if names is None:
        names = CHANNEL_NAMES + (("sms",) if settings.sms_provider else ())
    return {name: build_channel(name, settings, http, smtp=smtp, clock=clock, robot_secrets=robot_secrets) for name in names}
