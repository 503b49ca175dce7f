"""The dispatch task: send what the outbox holds for a cycle at an instant."""

from __future__ import annotations

import datetime as dt

from prefect import task

from kaohe.dispatch import Dispatcher
from kaohe.http_client import dispatch_client
from kaohe.notifications.email import AiosmtplibTransport
from kaohe.notifications.links import signer_from_settings
from kaohe.services import current_context
from kaohe.services.outbox_upkeep import queue_fallbacks, seal_delivery_record
from kaohe.services.task_queries import roster_robots

FALLBACK_ROUNDS = 3


@task(name="dispatch-outbox", retries=2, retry_delay_seconds=10)
async def dispatch_outbox(cycle_id: int, as_of: dt.datetime) -> dict[str, object]:
    """Send every message of the cycle due at ``as_of``; failures are recorded on the messages. A message
    that failed for good goes over the unit's next channel (fallback); then what happened is sealed into
    the cycle's delivery record (催办记录)."""
    context = current_context()
    settings = context.settings
    transport = AiosmtplibTransport.from_settings(settings) if context.smtp is None else None
    robots = roster_robots(context, cycle_id)
    async with dispatch_client(concurrency=settings.dispatch_concurrency) as http:
        dispatcher = Dispatcher(
            context.session_scope, context.channels(http, smtp=transport, robot_secrets=robots),
            batch_size=settings.dispatch_batch_size, concurrency=settings.dispatch_concurrency,
            digests=settings.digests, links=signer_from_settings(settings),
        )
        try:
            report = await dispatcher.run(as_of, cycle_id=cycle_id)
            for _ in range(FALLBACK_ROUNDS):
                if not queue_fallbacks(context, cycle_id, as_of):
                    break
                again = await dispatcher.run(as_of, cycle_id=cycle_id)
                report.sent, report.failed, report.retrying = report.sent + again.sent, report.failed + again.failed, report.retrying + again.retrying
        finally:
            if transport is not None:
                await transport.aclose()
    sealed = seal_delivery_record(context, cycle_id, as_of)
    return {**report.to_json(), "sealed": sealed}
