"""Send with exponential back-off and jitter, retrying only errors marked retryable."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

from kaohe.errors import DeliveryError
from kaohe.notifications.channel import Channel
from kaohe.notifications.message import Message, Receipt
from kaohe.notifications.ratelimit import RateLimiter


def backoff_delay(attempt: int, base_delay: float, max_delay: float, rng: random.Random) -> float:
    """Seconds to wait after failed attempt ``attempt`` (1-based): half of base·2^(attempt-1) (capped) plus jitter up to the other half."""
    ceiling = min(max_delay, base_delay * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


async def send_with_retry(
    channel: Channel,
    message: Message,
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 60.0,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    rng: random.Random | None = None,
    limiter: RateLimiter | None = None,
) -> Receipt:
    """Send ``message``, retrying retryable DeliveryErrors up to ``attempts`` tries in all.

    A non-retryable error is raised at once; after the last try the error is raised with
    ``retryable`` unchanged so a caller can reschedule. With ``limiter``, each try waits its turn.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    rng = rng or random.Random()
    for attempt in range(1, attempts + 1):
        if limiter is not None:
            await limiter.acquire(message.channel, message.recipient)
        try:
            return await channel.send(message)
        except DeliveryError as error:
            if not error.retryable:
                raise
            if attempt == attempts:
                if attempts == 1:
                    raise
                raise DeliveryError(f"{error}（已尝试{attempts}次）", retryable=True) from error
            await sleep(backoff_delay(attempt, base_delay, max_delay, rng))
    raise AssertionError("unreachable")
