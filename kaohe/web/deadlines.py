"""Working days between two dates, as the portal shows them ("3 个工作日后截止", "逾期 5 个工作日"). Pure."""

from __future__ import annotations

import datetime as dt

from kaohe.workdays import WorkdayCalendar


def working_days_between(calendar: WorkdayCalendar, start: dt.date, end: dt.date) -> int:
    """The number of working days in ``(start, end]``; negative (the count in ``(end, start]``) when
    ``end`` is before ``start``. Days left until a due date: ``(today, due]``; days overdue: ``(due, today]``.

    Counted without walking the days: Monday–Friday by whole weeks, then the calendar's holidays on
    weekdays taken off and its adjusted working days on weekends added."""
    if end < start:
        return -working_days_between(calendar, end, start)
    weeks, rest = divmod((end - start).days, 7)
    count = 5 * weeks + sum(1 for i in range(1, rest + 1) if (start + dt.timedelta(days=i)).weekday() < 5)
    count += sum(1 for day in calendar.workdays if start < day <= end and day.weekday() >= 5)
    count -= sum(1 for day in calendar.holidays if start < day <= end and day.weekday() < 5 and day not in calendar.workdays)
    return count
