"""A dispatcher in its own process, for the crash test to kill: ``python crash_dispatcher.py CONFIG_JSON``.

CONFIG_JSON holds url, smtp_host, smtp_port, now (ISO), batch_size and concurrency. It sends what is
due through kaohe's real channels and Dispatcher, exactly as the dispatch task does.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys

from kaohe.db import session_scope
from kaohe.dispatch import Dispatcher
from kaohe.http_client import dispatch_client
from kaohe.notifications.email import AiosmtplibTransport
from kaohe.notifications.registry import build_channels
from kaohe.settings import Settings


async def main(config: dict[str, object]) -> None:
    """Dispatch everything due at ``now``."""
    url = str(config["url"])
    settings = Settings(smtp_host=str(config["smtp_host"]), smtp_port=int(str(config["smtp_port"])),
                        smtp_sender="考核办 <kaohe@example.cn>")
    async with dispatch_client(concurrency=int(str(config["concurrency"])), timeout=10) as http:
        channels = build_channels(settings, http, smtp=AiosmtplibTransport(settings.smtp_host, settings.smtp_port, timeout=10))
        dispatcher = Dispatcher(lambda: session_scope(url), channels, batch_size=int(str(config["batch_size"])),
                                concurrency=int(str(config["concurrency"])), worker="crash-test")
        await dispatcher.run(dt.datetime.fromisoformat(str(config["now"])))


if __name__ == "__main__":
    asyncio.run(main(json.loads(sys.argv[1])))
