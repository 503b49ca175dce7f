"""One Prefect API client for many flow runs started one after another from the same process.

Prefect opens a client (an HTTP connection pool and a TLS context loaded with the CA bundle) for every
flow run started outside a run, and closes it when the run ends. A driver that starts one flow run
after another (the simulation: one ``advance-cycle`` run per instant) keeps one pair of clients open
instead; the runs, their states and their logs are recorded exactly as before.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from prefect.context import AsyncClientContext, SyncClientContext


@asynccontextmanager
async def kept_clients() -> AsyncIterator[None]:
    """Within the block, flow and task runs started on this event loop share one sync and one async client."""
    with SyncClientContext.get_or_create():
        async with AsyncClientContext.get_or_create():
            yield
