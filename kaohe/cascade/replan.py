"""Re-planning a tree of cycles after a date moved somewhere in it. Pure.

Each cycle is re-planned from its scheme with the calendar in force, its coordinator's events, its
holiday policy, the whole-stage deadlines an admin pinned, and — for a child — its parent's dates *after*
the parent's own re-planning, so a change flows down any number of levels in one pass. What comes out is,
per cycle, the new dates and the stages whose dates moved; nothing is written here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kaohe.cascade.tree import late_feeds, parent_dates, plan_parent_dates
from kaohe.planning import ParentDates, Plan, PlannedStage, StageDates, plan_cycle
from kaohe.schemes.model import HolidayPolicy, Scheme
from kaohe.workdays import WorkdayCalendar


@dataclass(frozen=True)
class StoredStage:
    """A stage's dates as the cycle holds them now."""

    key: str
    kind: str
    opens: dt.date | None
    due: dt.date


@dataclass(frozen=True)
class CycleSnapshot:
    """What re-planning needs of one cycle. ``parent`` is the parent cycle's key (None for a root);
    ``detached_parent`` gives a child scheme's parent dates when the cycle has no parent cycle."""

    key: str
    scheme: Scheme
    year: int
    stages: Sequence[StoredStage]
    events: Mapping[str, dt.date] = field(default_factory=dict)
    policy: HolidayPolicy | None = None
    pins: Mapping[str, dt.date] = field(default_factory=dict)
    parent: str | None = None
    detached_parent: ParentDates | None = None

    def stored_parent_dates(self) -> dict[str, StageDates]:
        """The dates this cycle's children see before it is re-planned."""
        return parent_dates((s.key, s.kind, s.opens, s.due) for s in self.stages)


@dataclass(frozen=True)
class Move:
    """One stage whose dates changed."""

    stage: str
    old_due: dt.date
    new_due: dt.date
    old_opens: dt.date | None
    new_opens: dt.date | None

    @property
    def due_moved(self) -> bool:
        """Whether the deadline itself moved (only then are units told)."""
        return self.old_due != self.new_due


@dataclass(frozen=True)
class Replanned:
    """A cycle's new plan, what moved, and deadlines that now fall after the parent deadline they feed."""

    key: str
    plan: Plan
    moves: tuple[Move, ...]
    late: tuple[str, ...] = ()

    def stage(self, key: str) -> PlannedStage:
        """The new dates of one stage."""
        return self.plan.stage(key)


def order_top_down(cycles: Sequence[CycleSnapshot], start: Sequence[str]) -> list[CycleSnapshot]:
    """``start`` and every descendant of them, each after its parent (breadth-first)."""
    children: dict[str, list[CycleSnapshot]] = {}
    by_key = {c.key: c for c in cycles}
    for cycle in cycles:
        if cycle.parent is not None:
            children.setdefault(cycle.parent, []).append(cycle)
    ordered: list[CycleSnapshot] = []
    queue = [by_key[k] for k in start]
    seen: set[str] = set()
    while queue:
        cycle = queue.pop(0)
        if cycle.key in seen:
            continue
        seen.add(cycle.key)
        ordered.append(cycle)
        queue.extend(sorted(children.get(cycle.key, []), key=lambda c: c.key))
    return ordered


def replan_tree(cycles: Sequence[CycleSnapshot], calendar: WorkdayCalendar, *, start: Sequence[str],
                keep: Sequence[str] = (), office_hours: str = "09:00") -> list[Replanned]:
    """Re-plan ``start`` and all their descendants among ``cycles``, parents first.

    A cycle in ``keep`` is not re-planned itself (its stored dates hold — e.g. the cycle an admin just
    changed by hand) but its descendants are, from its stored dates. A cycle whose parent is not among
    ``cycles`` (not active) is re-planned from ``detached_parent`` if given, else its stored parent view is
    unavailable and its ``parent.X`` dates raise ValueError with the reason.
    """
    by_key = {c.key: c for c in cycles}
    seen_dates: dict[str, ParentDates] = {}
    results: list[Replanned] = []
    for cycle in order_top_down(cycles, start):
        if cycle.key in keep:
            seen_dates[cycle.key] = cycle.stored_parent_dates()
            continue
        parent = _parent_view(cycle, by_key, seen_dates)
        plan = plan_cycle(cycle.scheme, cycle.year, calendar, policy_override=cycle.policy, events=cycle.events,
                          office_hours=office_hours, parent=parent, pins=cycle.pins)
        seen_dates[cycle.key] = plan_parent_dates(plan)
        late = tuple(late_feeds(cycle.scheme, plan, parent)) if parent is not None and cycle.scheme.parent else ()
        results.append(Replanned(cycle.key, plan, tuple(_moves(cycle, plan)), late))
    return results


def _parent_view(cycle: CycleSnapshot, by_key: Mapping[str, CycleSnapshot], seen: Mapping[str, ParentDates]) -> ParentDates | None:
    if cycle.parent is not None and cycle.parent in seen:
        return seen[cycle.parent]
    if cycle.parent is not None and cycle.parent in by_key:
        return by_key[cycle.parent].stored_parent_dates()
    return cycle.detached_parent


def _moves(cycle: CycleSnapshot, plan: Plan) -> list[Move]:
    moves = []
    for stored in cycle.stages:
        try:
            planned = plan.stage(stored.key)
        except StopIteration:
            continue
        new_opens = planned.opens.date() if planned.opens else None
        new_due = planned.due.date()
        if new_due != stored.due or new_opens != stored.opens:
            moves.append(Move(stored.key, stored.due, new_due, stored.opens, new_opens))
    return moves
