"""The cycle board's dated timeline: each stage from its opening to its deadline on a strip of days, the
non-working days (weekends, statutory holidays; adjusted working days are not shaded) shaded, today
marked and provisional dates flagged. Pure: the page draws it as SVG from these numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kaohe.workdays import WorkdayCalendar

WIDTH_PX = 1100
"""The drawing's width to aim for (the page's content width); a day gets 3 to 12 pixels of it."""
LABEL_PX = 190
ROW_PX = 22
TOP_PX = 30


@dataclass(frozen=True)
class Span:
    """A run of days: from ``start`` (days after the first day) for ``days`` days, with what it is."""

    start: int
    days: int
    title: str


@dataclass(frozen=True)
class Bar:
    """One stage on the strip."""

    stage: str
    name: str
    start: int
    days: int
    opens: dt.date | None
    due: dt.date
    provisional: bool
    status: str


@dataclass(frozen=True)
class StageDates:
    """What the timeline needs of a stage (Beijing dates)."""

    stage: str
    name: str
    opens: dt.date | None
    due: dt.date
    provisional: bool
    status: str


@dataclass(frozen=True)
class Timeline:
    """The strip: its first day and length, shaded runs, month starts, today (None when outside), the bars."""

    first: dt.date
    days: int
    off: tuple[Span, ...]
    months: tuple[Span, ...]
    today: int | None
    bars: tuple[Bar, ...]
    day_px: int = 4

    def x(self, day: int) -> int:
        """The pixel column of a day offset."""
        return LABEL_PX + day * self.day_px

    @property
    def width(self) -> int:
        """The drawing's width in pixels."""
        return self.x(self.days) + 4

    @property
    def height(self) -> int:
        """The drawing's height in pixels."""
        return TOP_PX + ROW_PX * len(self.bars) + 6

    def y(self, row: int) -> int:
        """The top pixel of a bar's row."""
        return TOP_PX + ROW_PX * row

    def dates(self, span: Span) -> str:
        """A span's days as people read them, e.g. "02-04 至 02-10"."""
        start = self.first + dt.timedelta(days=span.start)
        end = start + dt.timedelta(days=span.days - 1)
        return start.strftime("%m-%d") + (f" 至 {end.strftime('%m-%d')}" if end != start else "")


def build_timeline(stages: Sequence[StageDates], calendar: WorkdayCalendar, today: dt.date) -> Timeline | None:
    """The timeline of ``stages`` from the first opening (or deadline) to the last deadline, widened to show
    ``today`` when it is within a month of either end; None for no stages."""
    if not stages:
        return None
    first = min(s.opens or s.due for s in stages)
    last = max(s.due for s in stages)
    if first - dt.timedelta(days=31) <= today < first:
        first = today
    if last < today <= last + dt.timedelta(days=31):
        last = today
    first = first.replace(day=1)
    days = (last - first).days + 1
    off: list[Span] = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        if calendar.is_working_day(day):
            continue
        title = calendar.describe(day)
        if off and off[-1].start + off[-1].days == offset and off[-1].title == title:
            off[-1] = Span(off[-1].start, off[-1].days + 1, title)
        else:
            off.append(Span(offset, 1, title))
    months = []
    day = first
    while day <= last:
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months.append(Span((day - first).days, (min(following, last + dt.timedelta(days=1)) - day).days, f"{day.year}年{day.month}月"))
        day = following
    bars = tuple(Bar(s.stage, s.name, ((s.opens or s.due) - first).days, (s.due - (s.opens or s.due)).days + 1, s.opens, s.due,
                     s.provisional, s.status) for s in stages)
    marked = (today - first).days if first <= today <= last else None
    day_px = max(3, min(12, (WIDTH_PX - LABEL_PX) // days))
    return Timeline(first, days, tuple(off), tuple(months), marked, bars, day_px)
