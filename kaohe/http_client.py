"""The HTTP client the dispatcher sends with: httpx's API over aiohttp's connection pool.

httpx's own pool spends most of its time choosing a connection once many are open; the
``httpx-aiohttp`` transport keeps httpx's requests, responses and exceptions and lets aiohttp's pool
carry them (see bench/README.md for the figures). One client serves every channel of a dispatch run.
"""

from __future__ import annotations

import httpx


def dispatch_client(*, concurrency: int, timeout: float = 10.0) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` on the aiohttp transport, at most ``concurrency`` connections, no proxy from the environment."""
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    transport = AiohttpTransport(limits=limits, trust_env=False)
    return httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout), limits=limits, trust_env=False)
