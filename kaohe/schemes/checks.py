"""Checks of a scheme that need more than its shape: can every cycle year be planned?"""

from __future__ import annotations

from kaohe.schemes.model import Scheme
from kaohe.workdays import WorkdayCalendar

CHECK_YEARS = (2016, 2019, 2023)


def check_scheme(scheme: Scheme) -> list[str]:
    """Problems found by planning the scheme for a few sample years (leap and common)."""
    from kaohe.planning import plan_cycle

    problems: list[str] = []
    calendar = WorkdayCalendar()
    for year in CHECK_YEARS:
        try:
            plan_cycle(scheme, year, calendar)
        except ValueError as error:
            message = f"{year}年周期无法排期：{error}"
            if message not in problems:
                problems.append(message)
    return problems
