"""Checks of a scheme that need more than its shape: can every cycle year be planned?"""

from __future__ import annotations

from collections.abc import Sequence

from kaohe.schemes.model import Scheme
from kaohe.workdays import WorkdayCalendar

CHECK_YEARS = (2016, 2019, 2023)


def check_scheme(scheme: Scheme, parents: Sequence[Scheme] = ()) -> list[str]:
    """Problems found by planning the scheme for a few sample years (leap and common).

    A child scheme (``parents``: its parent, grandparent …) is planned under its parent's own dates, and
    each of its deadlines that feeds a parent deadline must not fall after it (kaohe.cascade.tree).
    """
    from kaohe.cascade.tree import late_feeds, plan_chain, plan_parent_dates

    problems: list[str] = []
    calendar = WorkdayCalendar()
    for year in CHECK_YEARS:
        try:
            plan = plan_chain((scheme, *parents), year, calendar)
            found = [f"{year}年周期：{p}" for p in late_feeds(scheme, plan, plan_parent_dates(plan_chain(parents, year, calendar)))] if parents else []
        except ValueError as error:
            found = [f"{year}年周期无法排期：{error}"]
        for message in found:
            if message not in problems:
                problems.append(message)
    return problems
