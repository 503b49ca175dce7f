"""Retries with exponential back-off and jitter, only for retryable errors."""

from __future__ import annotations

import asyncio
import random

import httpx
import pytest

from kaohe.errors import DeliveryError
from kaohe.notifications import Message, Receipt, WeComChannel, send_with_retry
from kaohe.notifications.retry import backoff_delay
from kaohe.testing.receivers import LocalWebhookReceiver


def wecom_message() -> Message:
    return Message("2018:verify:xiyi:due_today:1", "due_today", "wecom", "robot-key", "【今日截止】数据核实", "正文\n")


def run_with_retry(hooks: LocalWebhookReceiver, delays: list[float], **kwargs: object) -> Receipt:
    async def record(seconds: float) -> None:
        delays.append(seconds)

    async def go() -> Receipt:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            channel = WeComChannel(http, base_url=hooks.url)
            return await send_with_retry(channel, wecom_message(), sleep=record, rng=random.Random(7), **kwargs)  # type: ignore[arg-type]

    return asyncio.run(go())


def test_succeeds_after_two_failures_with_growing_delays(hooks: LocalWebhookReceiver) -> None:
    hooks.fail_next(1, status=503)
    hooks.fail_next(1, code=45009, text="api freq out of limit")
    delays: list[float] = []
    receipt = run_with_retry(hooks, delays, base_delay=1.0)
    assert receipt.key == "2018:verify:xiyi:due_today:1"
    assert hooks.count == 3
    assert len(delays) == 2
    assert 0.5 <= delays[0] <= 1.0
    assert 1.0 <= delays[1] <= 2.0


def test_non_retryable_error_is_raised_at_once(hooks: LocalWebhookReceiver) -> None:
    hooks.fail_next(1, code=93000, text="invalid webhook url")
    delays: list[float] = []
    with pytest.raises(DeliveryError, match="93000") as caught:
        run_with_retry(hooks, delays)
    assert not caught.value.retryable
    assert delays == [] and hooks.count == 1


def test_gives_up_after_the_last_attempt_still_retryable(hooks: LocalWebhookReceiver) -> None:
    hooks.fail_next(10, status=502)
    delays: list[float] = []
    with pytest.raises(DeliveryError, match="已尝试3次") as caught:
        run_with_retry(hooks, delays, attempts=3)
    assert caught.value.retryable
    assert hooks.count == 3 and len(delays) == 2


def test_same_rng_seed_gives_the_same_delays(hooks: LocalWebhookReceiver) -> None:
    hooks.fail_next(4, status=500)
    first: list[float] = []
    with pytest.raises(DeliveryError):
        run_with_retry(hooks, first, attempts=3)
    hooks.fail_next(4, status=500)
    second: list[float] = []
    with pytest.raises(DeliveryError):
        run_with_retry(hooks, second, attempts=3)
    assert first == second


@pytest.mark.parametrize(("attempt", "low", "high"), [(1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (4, 4.0, 8.0), (10, 30.0, 60.0)])
def test_backoff_bounds(attempt: int, low: float, high: float) -> None:
    rng = random.Random(1)
    for _ in range(50):
        assert low <= backoff_delay(attempt, 1.0, 60.0, rng) <= high
