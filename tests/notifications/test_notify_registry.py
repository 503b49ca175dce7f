"""Channels are built by name from Settings."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from notify_support import DINGTALK_SECRET, FEISHU_SECRET

from kaohe.errors import ConfigError
from kaohe.notifications import (
    CHANNEL_NAMES,
    Channel,
    Message,
    build_channel,
    build_channels,
)
from kaohe.settings import Settings
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver


def test_every_name_builds_a_channel_of_that_name() -> None:
    async def go() -> dict[str, Channel]:
        async with httpx.AsyncClient(trust_env=False) as http:
            return build_channels(Settings(_env_file=None), http)

    channels = asyncio.run(go())
    assert set(channels) == set(CHANNEL_NAMES)
    for name, channel in channels.items():
        assert isinstance(channel, Channel) and channel.name == name


def test_unknown_channel_is_a_config_error() -> None:
    async def go() -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            build_channel("fax", Settings(_env_file=None), http)

    with pytest.raises(ConfigError, match="未知的通知渠道：'fax'"):
        asyncio.run(go())


def test_sms_without_its_settings_is_a_config_error() -> None:
    async def go() -> None:
        async with httpx.AsyncClient(trust_env=False) as http:
            build_channel("sms", Settings(_env_file=None), http)

    with pytest.raises(ConfigError, match="短信渠道需要 KAOHE_SMS_PROVIDER"):
        asyncio.run(go())


def test_settings_point_every_channel_at_local_receivers(hooks: LocalWebhookReceiver, smtp: LocalSmtpReceiver) -> None:
    settings = Settings(
        _env_file=None,
        smtp_sender="考核办 <kaohe@example.cn>",
        dingtalk_secret=DINGTALK_SECRET,
        feishu_secret=FEISHU_SECRET,
        **hooks.settings_overrides(),
        **smtp.settings_overrides(),
    )
    recipients = {"email": "财政局 <czj@example.cn>", "wecom": "k", "dingtalk": "t", "feishu": "f", "webhook": hooks.url + "/hook"}

    async def go() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            for name, channel in build_channels(settings, http).items():
                await channel.send(Message(f"key-{name}", "upcoming", name, recipients[name], "主题", "正文\n"))

    asyncio.run(go())
    assert hooks.counts() == {"wecom": 1, "dingtalk": 1, "feishu": 1, "webhook": 1}
    assert smtp.wait_for(1)[0].message["To"].addresses[0].display_name == "财政局"
