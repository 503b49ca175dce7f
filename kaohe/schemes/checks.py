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
    return problems + sampling_problems(scheme)


def sampling_problems(scheme: Scheme) -> list[str]:
    """Each stage's sampling rule parsed as ``sample draw`` will parse it: problems found now, not at draw time."""
    from kaohe.errors import SchemeError
    from kaohe.evidence.candidates import normalise_rule
    from kaohe.sampling.rules import parse_rule

    problems: list[str] = []
    for index, stage in enumerate(scheme.stages):
        if stage.sampling is None:
            continue
        try:
            parse_rule(normalise_rule(stage.sampling))
        except SchemeError as error:
            for problem in error.problems:
                where = f"stages[{index}]({stage.id}).sampling" + (f".{problem.field}" if problem.field else "")
                problems.append(f"字段 {where}：{problem.reason}")
    return problems
