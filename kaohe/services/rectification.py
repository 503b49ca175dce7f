"""Rectification: a unit's report handed in, and the item-by-item review of it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from kaohe.errors import NotFoundError, StateError
from kaohe.evidence.files import submission_dir
from kaohe.evidence.lateness import late_by_seconds
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.files import remove_dir
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.services.scoping import unit_scope
from kaohe.services.uploads import Upload
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.obligations import complete
from kaohe.store.results import RECTIFICATION_KIND, mark_reported, rectification_of, review_item, stage_of_kind
from kaohe.store.submissions import add_submission, next_version, obligation_to_submit


@dataclass(frozen=True)
class SubmitRectification:
    """A unit hands in its rectification report; ``at`` records a paper report's real time."""

    actor: Actor
    cycle: str
    unit: str
    report: Upload
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ReviewRectification:
    """Accept or reject item ``item`` of a unit's rectification."""

    actor: Actor
    cycle: str
    unit: str
    item: int
    status: str
    note: str | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SubmitRectificationItem:
    """A unit hands in the evidence of one rectification item (an upload per item, 逐项报送)."""

    actor: Actor
    cycle: str
    unit: str
    item: int
    evidence: Upload
    at: dt.datetime | None = None


ITEM_KIND = "item{number}"
"""The submission kind of an item's evidence (a version of the unit's rectification obligation with that one file)."""


def submit_report(context: AppContext, command: SubmitRectification) -> dict[str, Any]:
    """Store the report and record it, all or nothing; the obligation is completed and its items marked reported."""
    data = command.report.content("整改报告")
    by = command.actor.account
    with context.unit_of_work(command.actor) as uow:
        now = command.at or uow.now
        session = uow.session
        cycle = get_cycle(session, command.cycle)
        authorize(command.actor, Action.SUBMIT_RECTIFICATION, unit_scope(cycle, get_unit(session, cycle, command.unit)))
        stage = stage_of_kind(cycle, RECTIFICATION_KIND)
        if stage is None:
            raise NotFoundError(f"周期 {cycle.key} 的方案没有整改阶段")
        obligation, _, unit = obligation_to_submit(session, cycle, command.unit, stage.key, now=now, with_scores=False)
        version = next_version(session, obligation)
        late = late_by_seconds(now, obligation.due_at)
        created, stored = context.files.write(submission_dir(cycle.key, unit.code, stage.key, version),
                                              [("report", command.report.name, data)])
        uow.on_failure(lambda: remove_dir(created))
        for item in stored:
            add_submission(session, obligation, version=version, kind=item.kind, file_name=item.file_name, sha256=item.sha256,
                           size=item.size, stored_path=item.stored_path, submitted_at=now, late_by_seconds=late, submitted_by=by)
        completed = obligation.status in ("pending", "overdue")
        if completed:
            complete(session, cycle, unit.code, stage.key, at=now, actor=by)
        items = mark_reported(session, cycle, unit.code, version=version, by=by, now=now)
        uow.audit("submission.received", cycle_id=cycle.id, subject=f"{stage.key}:{unit.code}", at=now,
                  detail={"version": version, "late_by_seconds": late, "files": [f.to_json() for f in stored]})
        return {"cycle": cycle.key, "unit": unit.code, "stage": stage.key, "version": version, "late_by_seconds": late,
                "completed_obligation": completed, "items": items, "files": [f.to_json() for f in stored]}


def review(context: AppContext, command: ReviewRectification) -> dict[str, Any]:
    """Record the verdict; a rejection re-opens the unit's rectification and tells it."""
    authorize(command.actor, Action.REVIEW_RECTIFICATION, Scope(cycle=command.cycle, unit=command.unit))
    with context.unit_of_work(command.actor) as uow:
        outcome = review_item(uow.session, get_cycle(uow.session, command.cycle), command.unit, command.item, command.status,
                              by=command.actor.account, now=command.at or uow.now, note=command.note)
        return asdict(outcome)


def submit_item(context: AppContext, command: SubmitRectificationItem) -> dict[str, Any]:
    """Store one item's evidence as the next version of the unit's rectification, all or nothing; the item awaits review
    (``reported``), and the obligation is completed once no item is left open or rejected."""
    data = command.evidence.content("整改佐证材料")
    by = command.actor.account
    with context.unit_of_work(command.actor) as uow:
        now = command.at or uow.now
        session = uow.session
        cycle = get_cycle(session, command.cycle)
        authorize(command.actor, Action.SUBMIT_RECTIFICATION_ITEM, unit_scope(cycle, get_unit(session, cycle, command.unit)))
        stage = stage_of_kind(cycle, RECTIFICATION_KIND)
        if stage is None:
            raise NotFoundError(f"周期 {cycle.key} 的方案没有整改阶段")
        _, items = rectification_of(session, cycle, command.unit)
        item = next((i for i in items if i.number == command.item), None)
        if item is None:
            raise NotFoundError(f"单位 {command.unit} 在周期 {cycle.key} 没有第 {command.item} 项整改事项")
        if item.status in ("accepted", "withdrawn"):
            raise StateError(f"第 {item.number} 项整改事项{'已验收通过' if item.status == 'accepted' else '已因结果更正而撤销'}，无须再报送")
        obligation, _, unit = obligation_to_submit(session, cycle, command.unit, stage.key, now=now, with_scores=False)
        version = next_version(session, obligation)
        late = late_by_seconds(now, obligation.due_at)
        kind = ITEM_KIND.format(number=item.number)
        created, stored = context.files.write(submission_dir(cycle.key, unit.code, stage.key, version),
                                              [(kind, command.evidence.name, data)])
        uow.on_failure(lambda: remove_dir(created))
        for file in stored:
            add_submission(session, obligation, version=version, kind=kind, file_name=file.file_name, sha256=file.sha256,
                           size=file.size, stored_path=file.stored_path, submitted_at=now, late_by_seconds=late, submitted_by=by)
        if item.status in ("open", "rejected"):
            item.status = "reported"
        waiting = [i.number for i in items if i.status in ("open", "rejected")]
        completed = not waiting and obligation.status in ("pending", "overdue")
        if completed:
            complete(session, cycle, unit.code, stage.key, at=now, actor=by)
        uow.audit("rectification.item_reported", cycle_id=cycle.id, subject=f"{unit.code}#{item.number}", at=now,
                  detail={"item": item.number, "version": version, "late_by_seconds": late, "files": [f.to_json() for f in stored],
                          "items_waiting": waiting})
        return {"cycle": cycle.key, "unit": unit.code, "stage": stage.key, "item": item.number, "version": version,
                "late_by_seconds": late, "completed_obligation": completed, "items_waiting": waiting,
                "files": [f.to_json() for f in stored]}
