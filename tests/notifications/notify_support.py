"""Constants and helpers shared by the notification tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from kaohe.notifications import Channel, Message, Receipt

DINGTALK_SECRET = "SEC0123456789abcdef-钉钉测试"
FEISHU_SECRET = "feishu-secret-测试"

Factory = Callable[[httpx.AsyncClient], Channel]


def send(factory: Factory, message: Message, *, timeout: float = 5.0) -> Receipt:
    """Send one message through the channel ``factory`` builds on a fresh httpx client."""

    async def go() -> Receipt:
        async with httpx.AsyncClient(trust_env=False, timeout=timeout) as http:
            return await factory(http).send(message)

    return asyncio.run(go())
