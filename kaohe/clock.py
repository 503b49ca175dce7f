"""The clock, injected wherever "now" matters, so a simulation can run a year in seconds."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    """Something that tells the time (always aware)."""

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> dt.datetime:
        """The current instant in UTC."""
        return dt.datetime.now(dt.timezone.utc)


class SimulatedClock:
    """A clock that only moves when told to."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs an aware datetime")
        self._now = start

    def now(self) -> dt.datetime:
        """The simulated instant."""
        return self._now

    def advance_to(self, instant: dt.datetime) -> None:
        """Move to ``instant``; a simulated clock never goes back."""
        if instant < self._now:
            raise ValueError(f"cannot move the clock back from {self._now} to {instant}")
        self._now = instant


def parse_instant(text: str | None) -> dt.datetime:
    """``--at``: an ISO time (Beijing time when it has no offset), or now."""
    if text is None:
        return SystemClock().now()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        from kaohe.errors import InputError, Problem

        raise InputError(Problem(f"无法识别的时间 {text!r}（应为 2019-01-23T10:00 或带时区的 ISO 时间）", field="--at")) from None
    from kaohe.datechecks import check_year

    check_year(value.date(), "时间", "--at")
    return value if value.tzinfo else value.replace(tzinfo=BEIJING)
