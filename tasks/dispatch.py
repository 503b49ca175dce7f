"""The dispatch task: send what the outbox holds for a cycle at an instant."""

from __future__ import annotations

import datetime as dt

from prefect import task

from kaohe.db import session_scope
from kaohe.dispatch import Dispatcher
from kaohe.http_client import dispatch_client
from kaohe.notifications.email import AiosmtplibTransport
from kaohe.notifications.registry import build_channels
from kaohe.settings import get_settings


@task(name="dispatch-outbox", retries=2, retry_delay_seconds=10)
async def dispatch_outbox(cycle_id: int, as_of: dt.datetime) -> dict[str, object]:
    """Send every message of the cycle due at ``as_of``; failures are recorded on the messages."""
    settings = get_settings()
    url = settings.effective_database_url
    smtp = AiosmtplibTransport.from_settings(settings)
    async with dispatch_client(concurrency=settings.dispatch_concurrency) as http:
        dispatcher = Dispatcher(
            lambda: session_scope(url), build_channels(settings, http, smtp=smtp),
            batch_size=settings.dispatch_batch_size, concurrency=settings.dispatch_concurrency,
        )
        try:
            report = await dispatcher.run(as_of, cycle_id=cycle_id)
        finally:
            await smtp.aclose()
    return report.to_json()
