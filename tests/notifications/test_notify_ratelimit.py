"""The sliding-window limiter with a fake clock: no real waiting."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.notifications import FeishuChannel, RateLimiter, WebhookChannel, WeComChannel


class FakeClock:
    """Time that moves only when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def limiter(clock: FakeClock, per_minute: int = 20) -> RateLimiter:
    return RateLimiter({"wecom": [(per_minute, 60.0)]}, clock=clock, sleep=clock.sleep)


def test_twenty_pass_then_the_twenty_first_waits_for_the_window() -> None:
    clock = FakeClock()
    rate = limiter(clock)

    async def go() -> list[float]:
        waits = []
        for _ in range(20):
            waits.append(await rate.acquire("wecom", "g1"))
            clock.now += 1
        waits.append(await rate.acquire("wecom", "g1"))
        return waits

    waits = asyncio.run(go())
    assert waits[:20] == [0.0] * 20
    assert waits[20] == pytest.approx(40.0)
    assert clock.now == pytest.approx(1060.0)


def test_recipients_and_unlimited_channels_are_independent() -> None:
    clock = FakeClock()
    rate = limiter(clock, per_minute=2)

    async def go() -> None:
        for recipient in ("g1", "g2", "g3"):
            await rate.acquire("wecom", recipient)
            await rate.acquire("wecom", recipient)
        for _ in range(100):
            await rate.acquire("email", "a@example.cn")

    asyncio.run(go())
    assert clock.sleeps == []


def test_concurrent_waiters_on_one_robot_are_spread_over_windows() -> None:
    clock = FakeClock()
    rate = limiter(clock, per_minute=20)
    stamps: list[float] = []

    async def one() -> None:
        await rate.acquire("wecom", "g1")
        stamps.append(clock.now)

    async def go() -> None:
        await asyncio.gather(*(one() for _ in range(50)))

    asyncio.run(go())
    assert len(stamps) == 50
    assert stamps.count(1000.0) == 20 and stamps.count(1060.0) == 20 and stamps.count(1120.0) == 10


def test_limits_come_from_the_channels() -> None:
    clock = FakeClock()

    async def go() -> dict[str, float]:
        async with httpx.AsyncClient(trust_env=False) as http:
            rate = RateLimiter.for_channels([WeComChannel(http), FeishuChannel(http), WebhookChannel(http)], clock=clock, sleep=clock.sleep)
        waited = {}
        for channel, count in (("webhook", 500), ("feishu", 5), ("wecom", 20)):
            for _ in range(count):
                await rate.acquire(channel, "r")
            before = clock.now
            await rate.acquire(channel, "r")
            waited[channel] = clock.now - before
        return waited

    assert asyncio.run(go()) == {"webhook": 0.0, "feishu": pytest.approx(1.0), "wecom": pytest.approx(60.0)}


def test_feishu_burst_window_applies() -> None:
    clock = FakeClock()
    rate = RateLimiter({"feishu": [(100, 60.0), (5, 1.0)]}, clock=clock, sleep=clock.sleep)

    async def go() -> None:
        for _ in range(11):
            await rate.acquire("feishu", "bot")

    asyncio.run(go())
    assert clock.now == pytest.approx(1002.0)


@pytest.mark.parametrize("window", [(0, 60.0), (5, 0.0)])
def test_bad_window_is_refused(window: tuple[int, float]) -> None:
    with pytest.raises(ValueError):
        RateLimiter({"wecom": [window]})


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10), st.lists(st.floats(0, 30), min_size=1, max_size=60))
def test_no_window_ever_holds_more_than_the_limit(per_minute: int, gaps: list[float]) -> None:
    clock = FakeClock()
    rate = limiter(clock, per_minute)
    stamps: list[float] = []

    async def go() -> None:
        for gap in gaps:
            clock.now += gap
            await rate.acquire("wecom", "g")
            stamps.append(clock.now)

    asyncio.run(go())
    for i, start in enumerate(stamps):
        assert sum(1 for t in stamps[i:] if t < start + 60.0 - 1e-9) <= per_minute
