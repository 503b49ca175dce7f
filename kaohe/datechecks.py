"""Checks of dates people type on the command line (pure): plausible years, deadlines that can still be met.

A year outside ``YEAR_MIN``–``YEAR_MAX`` is refused everywhere (``0001-01-01`` and ``9999-12-31`` are typing
slips, and the latter overflows calendar arithmetic). A new deadline must not lie in the past, before its
stage opens, or on a non-working day (the office names the working day it means).
"""

from __future__ import annotations

import datetime as dt

from kaohe.errors import InputError, Problem
from kaohe.workdays import WorkdayCalendar

YEAR_MIN = 2000
YEAR_MAX = 2100


def year_problem(day: dt.date, what: str) -> str | None:
    """Why ``day`` is not a plausible date for kaohe, or ``None``."""
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        return f"{what} {day.isoformat()} 的年份超出 {YEAR_MIN}–{YEAR_MAX} 年的合理范围"
    return None


def check_year(day: dt.date, what: str, field: str) -> None:
    """Raise InputError (naming ``field``) unless ``day``'s year is plausible."""
    if (reason := year_problem(day, what)) is not None:
        raise InputError(Problem(reason, field=field))


def deadline_problem(day: dt.date, *, today: dt.date, opens: dt.date | None, calendar: WorkdayCalendar | None,
                     what: str = "新截止日") -> str | None:
    """Why ``day`` cannot be a new deadline (end of that day, Beijing time), or ``None``."""
    if (reason := year_problem(day, what)) is not None:
        return reason
    if day < today:
        return f"{what} {day.isoformat()} 已过（今天是 {today.isoformat()}）"
    if opens is not None and day < opens:
        return f"{what} {day.isoformat()} 早于该阶段开始日期 {opens.isoformat()}"
    if calendar is not None and not calendar.is_working_day(day):
        return (f"{what} {day.isoformat()} 为{calendar.describe(day)}（非工作日），"
                f"请改为工作日，如 {calendar.previous_working_day(day).isoformat()} 或 {calendar.next_working_day(day).isoformat()}")
    return None
