"""Dates across levels: what a child sees of its parent's timeline, planning a chain of schemes, and the
check that a child deadline does not fall after the parent deadline it feeds. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from kaohe.planning import ParentDates, Plan, StageDates, plan_cycle
from kaohe.schemeshape import SchemeLike, StageLike
from kaohe.workdays import WorkdayCalendar


def parent_dates(stages: Iterable[tuple[str, str, dt.date | None, dt.date]]) -> dict[str, StageDates]:
    """``(id, kind, opens, due)`` of a parent's stages → what ``parent.X`` may name: every stage id, and
    each kind the parent has exactly once (``parent.self_report.due`` when the stage is ``self_check``)."""
    by_id: dict[str, StageDates] = {}
    by_kind: dict[str, list[StageDates]] = {}
    for key, kind, opens, due in stages:
        dates = StageDates(opens, due)
        by_id[key] = dates
        by_kind.setdefault(kind, []).append(dates)
    result = {kind: found[0] for kind, found in by_kind.items() if len(found) == 1 and kind not in by_id}
    result.update(by_id)
    return result


def plan_parent_dates(plan: Plan) -> dict[str, StageDates]:
    """The dates a child sees of a parent planned (not yet stored) as ``plan``."""
    return parent_dates((s.id, s.kind, s.opens.date() if s.opens else None, s.due.date()) for s in plan.stages)


def plan_chain(chain: Sequence[SchemeLike], year: int, calendar: WorkdayCalendar, **options: object) -> Plan:
    """Plan ``chain[0]`` (a scheme, then its parent, grandparent …) with each ancestor planned on its own for
    the same year, top-down: the dates a child has before any parent cycle exists. ``options`` go to the
    child's ``plan_cycle`` only."""
    parent: ParentDates | None = None
    for ancestor in reversed(chain[1:]):
        parent = plan_parent_dates(plan_cycle(ancestor, year, calendar, parent=parent))
    return plan_cycle(chain[0], year, calendar, parent=parent, **options)  # type: ignore[arg-type]


def late_feeds(scheme: SchemeLike, plan: Plan, parent: Mapping[str, StageDates]) -> list[str]:
    """Every stage whose deadline falls after the parent deadline it feeds, without a ``late_reason``."""
    problems: list[str] = []
    for stage in scheme.stages:
        fed = stage.fed_parent_stage
        if fed is None or stage.late_reason:
            continue
        if fed not in parent:
            problems.append(f"阶段 {stage.id} 的 feeds 指向上级方案中不存在的阶段 {fed}")
            continue
        due = plan.stage(stage.id).due.date()
        if due > parent[fed].due:
            problems.append(f"阶段 {stage.id} 的截止 {due.isoformat()} 晚于它所报送的上级阶段 {fed} 的截止 "
                            f"{parent[fed].due.isoformat()}；如确需如此，请用 late_reason 说明理由")
    return problems


def followed_parent_stage(stage: StageLike | None) -> str | None:
    """The parent stage a child stage feeds, or whose date it is written against (None: neither)."""
    if stage is None:
        return None
    if stage.fed_parent_stage:
        return stage.fed_parent_stage
    for spec in (stage.due, stage.opens):
        if spec is not None and spec.expr.kind == "parent":
            return spec.expr.ref
    return None
