"""Sliding-window rate limits per (channel, recipient), with injected clock and sleep."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence

from kaohe.notifications.channel import Channel

Window = tuple[int, float]


class RateLimiter:
    """Waits before each send so that no (channel, recipient) exceeds any of its channel's windows.

    ``limits`` maps a channel name to windows ``(count, seconds)``: at most ``count`` sends in any
    ``seconds``-long interval. Channels not listed are unlimited. Waiters on one key go in FIFO order.
    """

    def __init__(
        self,
        limits: Mapping[str, Sequence[Window]],
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        for channel, windows in limits.items():
            for count, seconds in windows:
                if count < 1 or seconds <= 0:
                    raise ValueError(f"{channel}: window ({count}, {seconds}) must have count ≥ 1 and seconds > 0")
        self._limits = {channel: tuple(windows) for channel, windows in limits.items() if windows}
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[tuple[str, str], deque[float]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    @classmethod
    def for_channels(cls, channels: Iterable[Channel], **kwargs: object) -> RateLimiter:
        """Limits from each channel's ``per_minute_limit`` (and ``per_second_limit`` where it has one)."""
        limits: dict[str, list[Window]] = {}
        for channel in channels:
            windows: list[Window] = []
            if channel.per_minute_limit:
                windows.append((channel.per_minute_limit, 60.0))
            if per_second := getattr(channel, "per_second_limit", None):
                windows.append((per_second, 1.0))
            limits[channel.name] = windows
        return cls(limits, **kwargs)  # type: ignore[arg-type]

    def _wait_needed(self, windows: tuple[Window, ...], sent: deque[float], now: float) -> float:
        wait = 0.0
        for count, seconds in windows:
            if len(sent) >= count:
                wait = max(wait, sent[-count] + seconds - now)
        return wait

    async def acquire(self, channel: str, recipient: str) -> float:
        """Wait until a send to ``recipient`` over ``channel`` is allowed, record it, return the seconds waited."""
        windows = self._limits.get(channel)
        if not windows:
            return 0.0
        key = (channel, recipient)
        sent = self._sent.setdefault(key, deque(maxlen=max(count for count, _ in windows)))
        lock = self._locks.setdefault(key, asyncio.Lock())
        waited = 0.0
        async with lock:
            while (wait := self._wait_needed(windows, sent, self._clock())) > 0:
                await self._sleep(wait)
                waited += wait
            sent.append(self._clock())
        return waited
