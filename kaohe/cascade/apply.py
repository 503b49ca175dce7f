"""Changes flow down: re-plan a cycle's descendants (or a whole tree) and record what moved.

After an admin moves a whole stage of a cycle (``kaohe extend`` without ``--unit``), or when a newly
published holiday table settles provisional dates (``kaohe cycle replan``), every active descendant is
re-planned (kaohe.cascade.replan) and, in one transaction:

- each moved stage gets its new dates (a closed stage whose new deadline is still ahead re-opens);
- each obligation still owed moves with its stage (a unit's own later extension is kept); reminders
  planned for the old date are cancelled, and the next advance plans the new ones;
- each unit whose deadlines moved is sent one message listing every moved deadline, old and new; the
  child cycle's coordinators instead get one request to acknowledge, listing the same;
- a child cycle gets a ``DateChange`` record its coordinator must acknowledge (reminded every working
  day until then, see ``remind_unacknowledged``); the audit log says what moved and why.

A second run finds nothing to move and sends nothing; the outbox keys carry a digest of the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import pendulum
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.cascade.notices import COORDINATOR_ROLE, UnitMove, fingerprint, messages_for
from kaohe.cascade.replan import CycleSnapshot, Replanned, StoredStage, replan_tree
from kaohe.cascade.tree import plan_chain, plan_parent_dates
from kaohe.clock import BEIJING
from kaohe.errors import NotFoundError, StateError
from kaohe.models import Cycle, CycleStage, DateChange, Obligation
from kaohe.planning import TIMEZONE, end_of_day, office_instant
from kaohe.schemes.model import HolidayPolicy, Scheme
from kaohe.store.advance import scheme_of
from kaohe.store.audit import record
from kaohe.store.outbox import cancel_for, enqueue
from kaohe.store.schedule_sync import mark_schedule_stale
from kaohe.workdays import WorkdayCalendar

OWING = ("pending", "overdue")
CAUSE_NAMES = {"extension": "上级延长截止日期", "override": "上级调整截止日期", "holidays": "节假日安排更新"}
Lineage = Callable[[str], Sequence[Scheme]]


@dataclass
class CascadeReport:
    """What a propagation did: per cycle the stages that moved, the units told, and conflicts found."""

    moved: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    told: dict[str, list[str]] = field(default_factory=dict)
    changes: dict[str, int] = field(default_factory=dict)
    late: dict[str, list[str]] = field(default_factory=dict)
    queued: int = 0

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {"moved": self.moved, "told": self.told, "changes": self.changes, "late": self.late, "queued": self.queued}


def start_of_day(day: dt.date) -> dt.datetime:
    """00:00 of ``day``, Beijing time (when a window opens)."""
    return pendulum.datetime(day.year, day.month, day.day, tz=TIMEZONE)


def local_day(moment: dt.datetime) -> dt.date:
    """The Beijing calendar day of an instant."""
    return moment.astimezone(BEIJING).date()


def snapshot(cycle: Cycle, *, lineage: Lineage | None = None, calendar: WorkdayCalendar | None = None) -> CycleSnapshot:
    """The plain data re-planning needs of a stored cycle (a child-scheme cycle without a parent cycle is
    given its parent scheme's own dates through ``lineage``)."""
    scheme = scheme_of(cycle)
    detached = None
    if scheme.parent and cycle.parent_id is None and lineage is not None and calendar is not None:
        detached = plan_parent_dates(plan_chain(tuple(lineage(scheme.id))[1:], cycle.year, calendar))
    return CycleSnapshot(
        key=cycle.key, scheme=scheme, year=cycle.year,
        stages=tuple(StoredStage(s.key, s.kind, local_day(s.opens_at) if s.opens_at else None, local_day(s.due_at)) for s in cycle.stages),
        events={k: dt.date.fromisoformat(v) for k, v in (cycle.events or {}).items()},
        policy=cast(HolidayPolicy | None, cycle.holiday_policy),
        pins={s.key: local_day(s.pinned_due) for s in cycle.stages if s.pinned_due is not None},
        parent=cycle.parent.key if cycle.parent is not None else None, detached_parent=detached,
    )


def tree_of(session: Session, cycle: Cycle) -> list[Cycle]:
    """``cycle``, its ancestors and all its descendants (active or not)."""
    found: dict[int, Cycle] = {cycle.id: cycle}
    ancestor = cycle.parent
    while ancestor is not None and ancestor.id not in found:
        found[ancestor.id] = ancestor
        ancestor = ancestor.parent
    frontier = [cycle.id]
    while frontier:
        children = list(session.scalars(select(Cycle).where(Cycle.parent_id.in_(frontier))))
        frontier = [c.id for c in children if c.id not in found]
        found.update((c.id, c) for c in children)
    return list(found.values())


def propagate(session: Session, origin: Cycle, *, cause: str, reason: str, actor: str, now: dt.datetime,
              calendar: WorkdayCalendar, include_origin: bool, lineage: Lineage | None = None) -> CascadeReport:
    """Re-plan ``origin``'s active descendants (and ``origin`` itself with ``include_origin``) and record it all."""
    cycles = [c for c in tree_of(session, origin) if c.status == "active" or c.id == origin.id]
    snapshots = [snapshot(c, lineage=lineage, calendar=calendar) for c in cycles]
    try:
        replanned = replan_tree(snapshots, calendar, start=[origin.key], keep=() if include_origin else [origin.key])
    except ValueError as error:
        raise StateError(f"周期 {origin.key} 的下级周期无法重新排期：{error}") from None
    by_key = {c.key: c for c in cycles}
    report = CascadeReport()
    for result in replanned:
        cycle = by_key[result.key]
        if cycle.status != "active":
            continue
        if result.late:
            report.late[cycle.key] = list(result.late)
        for stage in cycle.stages:
            stage.provisional = result.stage(stage.key).provisional
        cycle.provisional = result.plan.provisional
        if result.moves:
            _apply(session, cycle, result, origin=origin, cause=cause, reason=reason, actor=actor, now=now,
                   calendar=calendar, report=report)
            mark_schedule_stale(cycle, now)
    return report


def replan_all(session: Session, *, reason: str, actor: str, now: dt.datetime, calendar: WorkdayCalendar,
               lineage: Lineage | None = None, cycles: Sequence[Cycle] | None = None) -> CascadeReport:
    """Re-resolve the dates of every active cycle (or of ``cycles`` and their descendants) with ``calendar``
    — after a holiday table is published — top-down through each tree; one report for all."""
    chosen = list(cycles) if cycles is not None else list(session.scalars(select(Cycle).where(Cycle.status == "active")))
    keys = {c.key for c in chosen}
    roots = [c for c in chosen if c.parent is None or c.parent.key not in keys or c.parent.status != "active"]
    total = CascadeReport()
    for root in sorted(roots, key=lambda c: c.key):
        part = propagate(session, root, cause="holidays", reason=reason, actor=actor, now=now, calendar=calendar,
                         include_origin=True, lineage=lineage)
        for name in ("moved", "told", "changes", "late"):
            getattr(total, name).update(getattr(part, name))
        total.queued += part.queued
    return total


def _apply(session: Session, cycle: Cycle, result: Replanned, *, origin: Cycle, cause: str, reason: str, actor: str,
           now: dt.datetime, calendar: WorkdayCalendar, report: CascadeReport) -> None:
    stages = {s.key: s for s in cycle.stages}
    units = {u.id: u for u in cycle.units}
    by_unit: dict[int, list[UnitMove]] = {}
    stage_moves: dict[str, dict[str, str]] = {}
    note = f"{local_day(now).isoformat()} 随{'本' if cycle.id == origin.id else '上级'}周期 {origin.key} 调整（{CAUSE_NAMES.get(cause, cause)}）：{reason}"
    for move in result.moves:
        stage = stages[move.stage]
        planned = result.stage(move.stage)
        old_due_at = stage.due_at
        stage.opens_at = start_of_day(move.new_opens) if move.new_opens else None
        stage.due_at = end_of_day(move.new_due)
        stage.adjusted = planned.adjusted
        if not move.due_moved:
            continue
        stage.reason = f"{planned.reason}；{note}" if planned.reason else note
        stage_moves[stage.key] = {"name": stage.name, "old": old_due_at.isoformat(), "new": stage.due_at.isoformat()}
        if stage.status == "closed" and stage.due_at > now:
            stage.status, stage.closed_at = "open", None
        for moved in _move_obligations(session, stage, old_due_at, now):
            obligation, before = moved
            by_unit.setdefault(obligation.unit_id, []).append(
                UnitMove(stage.key, stage.name, before, obligation.due_at, stage.provisional))
        report.moved.setdefault(cycle.key, []).append(
            {"stage": move.stage, "old_due": move.old_due.isoformat(), "new_due": move.new_due.isoformat()})
    if not stage_moves:
        return
    send_at = office_instant(now, calendar, cycle.office_hours)
    for unit_id, unit_moves in by_unit.items():
        for unit_move in unit_moves:
            cancel_for(session, cycle_id=cycle.id, stage_key=unit_move.stage_key, unit_ids=[unit_id], after=now)
    change = None
    if cycle.parent_id is not None:
        change = DateChange(cycle_id=cycle.id, origin_cycle_id=origin.id, cause=cause, reason=reason, stages=stage_moves,
                            units=sorted(units[u].code for u in by_unit), created_by=actor, created_at=now)
        session.add(change)
        session.flush()
        report.changes[cycle.key] = change.id
    coordinators = [u for u in cycle.units if u.role == COORDINATOR_ROLE] if change is not None else []
    told = sorted(units[u].code for u in by_unit)
    outgoing = []
    context = {"origin": origin_phrase(cycle, origin, cause), "reason": reason}
    for unit_id, moves in sorted(by_unit.items(), key=lambda item: units[item[0]].code):
        unit = units[unit_id]
        if unit in coordinators:
            continue
        outgoing += messages_for(cycle, unit, "dates_changed", f"dates_changed@{fingerprint(moves)}",
                                 {**context, "changes": [m.to_context() for m in moves]}, send_at)
    for coordinator in coordinators:
        own = {m.stage_key for m in by_unit.get(coordinator.id, [])}
        changes = [{"stage": v["name"], "old_due": dt.datetime.fromisoformat(v["old"]), "new_due": dt.datetime.fromisoformat(v["new"]),
                    "provisional": stages[k].provisional, "owed": k in own} for k, v in stage_moves.items()]
        assert change is not None
        outgoing += messages_for(cycle, coordinator, "change_ack", f"change_ack@{change.id}",
                                 {**context, "changes": changes, "change_id": change.id,
                                  "told": [f"{units[u].name}（{units[u].code}）" for u in sorted(by_unit, key=lambda i: units[i].code)
                                           if units[u] not in coordinators]}, send_at)
    report.queued += enqueue(session, outgoing, now)
    report.told[cycle.key] = sorted(told + [c.code for c in coordinators if c.code not in told])
    record(session, actor=actor, action="dates.cascaded", cycle_id=cycle.id, subject=origin.key, at=now,
           detail={"cause": cause, "reason": reason, "origin": origin.key, "stages": stage_moves, "told": report.told[cycle.key],
                   "change": change.id if change is not None else None, "late": list(result.late)})


def origin_phrase(cycle: Cycle, origin: Cycle, cause: str) -> str:
    """Why the dates moved, as the messages say it: "上级周期 sichuan-2019 调整日程" or "节假日安排更新"."""
    if cycle.id == origin.id:
        return CAUSE_NAMES.get(cause, cause)
    return f"上级周期 {origin.key}（{CAUSE_NAMES.get(cause, cause)}）"


def _move_obligations(session: Session, stage: CycleStage, old_due_at: dt.datetime, now: dt.datetime
                      ) -> list[tuple[Obligation, dt.datetime]]:
    """Move the stage's owed obligations with it; a unit's own extension later than the new date is kept."""
    moved = []
    for obligation in session.scalars(select(Obligation).where(Obligation.stage_id == stage.id, Obligation.status.in_(OWING))):
        before = obligation.due_at
        new_due = stage.due_at if before == old_due_at else max(before, stage.due_at)
        if new_due == before:
            continue
        obligation.due_at, obligation.updated_at = new_due, now
        if obligation.status == "overdue" and new_due > now:
            obligation.status, obligation.overdue_since = "pending", None
        moved.append((obligation, before))
    return moved


def acknowledge(session: Session, cycle: Cycle, *, by: str, now: dt.datetime, change_id: int | None = None,
                note: str | None = None) -> list[DateChange]:
    """Record that ``cycle``'s coordinator has taken note of its pending date changes (or of one)."""
    query = select(DateChange).where(DateChange.cycle_id == cycle.id, DateChange.acknowledged_at.is_(None))
    if change_id is not None:
        change = session.get(DateChange, change_id)
        if change is None or change.cycle_id != cycle.id:
            raise NotFoundError(f"周期 {cycle.key} 没有编号为 {change_id} 的日程调整")
        if change.acknowledged_at is not None:
            raise StateError(f"日程调整 {change_id} 已由 {change.acknowledged_by} 于 {change.acknowledged_at.astimezone(BEIJING):%Y-%m-%d %H:%M} 确认")
        query = query.where(DateChange.id == change_id)
    pending = list(session.scalars(query.order_by(DateChange.id)))
    if not pending:
        raise StateError(f"周期 {cycle.key} 没有待确认的日程调整")
    for change in pending:
        change.acknowledged_by, change.acknowledged_at, change.acknowledgement_note = by, now, note
        record(session, actor=by, action="dates.acknowledged", cycle_id=cycle.id, subject=f"change:{change.id}", at=now,
               detail={"stages": change.stages, "note": note})
    return pending


def pending_changes(session: Session, cycle: Cycle) -> list[DateChange]:
    """The date changes of ``cycle`` its coordinator has not acknowledged, oldest first."""
    return list(session.scalars(select(DateChange).where(DateChange.cycle_id == cycle.id, DateChange.acknowledged_at.is_(None))
                                .order_by(DateChange.id)))


def remind_unacknowledged(session: Session, cycle: Cycle, now: dt.datetime, calendar: WorkdayCalendar) -> int:
    """On each working day after a change, from office hours on, remind the coordinators once of every change
    they have not acknowledged; return how many messages were queued."""
    today = local_day(now)
    if office_instant(now, calendar, cycle.office_hours) > now:
        return 0
    changes = [c for c in pending_changes(session, cycle) if local_day(c.created_at) < today and c.reminded_on != today]
    if not changes:
        return 0
    coordinators = [u for u in cycle.units if u.role == COORDINATOR_ROLE]
    origins = {c.id: c.key for c in session.scalars(select(Cycle).where(Cycle.id.in_([c.origin_cycle_id for c in changes])))}
    outgoing = []
    for change in changes:
        changes_ctx = [{"stage": v["name"], "old_due": dt.datetime.fromisoformat(v["old"]), "new_due": dt.datetime.fromisoformat(v["new"]),
                        "provisional": False, "owed": False} for v in change.stages.values()]
        for coordinator in coordinators:
            outgoing += messages_for(cycle, coordinator, "change_ack_reminder", f"change_ack_reminder@{change.id}@{today.isoformat()}",
                                     {"origin": f"上级周期 {origins.get(change.origin_cycle_id, '') if change.origin_cycle_id is not None else ''}（{CAUSE_NAMES.get(change.cause, change.cause)}）",
                                      "changes": changes_ctx,
                                      "change_id": change.id, "created": change.created_at}, now)
        change.reminded_on = today
    return enqueue(session, outgoing, now)

