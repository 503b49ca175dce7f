"""Planning a scheme's year the way a cycle is created from it: the validity period, the event dates and the
dates of the levels above (pure: plain data in, a Plan or one clear problem out)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from kaohe.cascade.tree import plan_parent_dates
from kaohe.errors import InputError, Problem, SchemeError
from kaohe.planning import ParentDates, Plan, plan_cycle
from kaohe.schemeshape import SchemeLike, require_validity
from kaohe.workdays import WorkdayCalendar


def plan_scheme(scheme: SchemeLike, year: int, calendar: WorkdayCalendar, *, office_hours: str, policy: str | None = None,
                events: Mapping[str, dt.date] | None = None, parent: ParentDates | None = None,
                outside_validity: bool = False, option: str = "--outside-validity") -> Plan:
    """Plan ``scheme``'s ``year``: a year outside its validity is refused unless ``outside_validity``; an unknown
    event or an unplannable date is one line naming the field."""
    require_validity(scheme.name, scheme.validity, year, outside_validity=outside_validity, option=option)
    chosen = dict(events or {})
    unknown = sorted(set(chosen) - set(scheme.events))
    if unknown:
        raise InputError(Problem(f"方案 {scheme.id} 没有事件 {', '.join(unknown)}（可设：{', '.join(scheme.events) or '无'}）", field="--event"))
    try:
        return plan_cycle(scheme, year, calendar, policy_override=policy, events=chosen,  # type: ignore[arg-type]
                          office_hours=office_hours, parent=parent)
    except ValueError as error:
        raise SchemeError(Problem(str(error), field="stages")) from None


def plan_ancestors(lineage: Sequence[SchemeLike], year: int, calendar: WorkdayCalendar, *, office_hours: str) -> list[Plan]:
    """The parent, grandparent … of ``lineage[0]`` planned on their own for ``year``, parent first."""
    plans: list[Plan] = []
    for index in range(len(lineage) - 1, 0, -1):
        above = plan_parent_dates(plans[0]) if plans else None
        try:
            plans.insert(0, plan_cycle(lineage[index], year, calendar, parent=above, office_hours=office_hours))
        except ValueError as error:
            raise SchemeError(Problem(str(error), field="stages")) from None
    return plans
