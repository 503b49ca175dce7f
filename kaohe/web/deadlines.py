"""Working days between two dates, as the portal shows them ("3 个工作日后截止", "逾期 5 个工作日"). Pure."""

from __future__ import annotations

import datetime as dt

from kaohe.workdays import WorkdayCalendar


def working_days_between(calendar: WorkdayCalendar, start: dt.date, end: dt.date) -> int:
    """The number of working days in ``(start, end]``; negative (the count in ``(end, start]``) when
    ``end`` is before ``start``. Days left until a due date: ``(today, due]``; days overdue: ``(due, today]``."""
    if end < start:
        return -working_days_between(calendar, end, start)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count
