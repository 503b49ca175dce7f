"""Handing in a stage's material, and closing a stage's submissions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kaohe.evidence.files import submission_dir
from kaohe.evidence.indicators import indicators_for
from kaohe.evidence.lateness import describe_lateness, late_by_seconds
from kaohe.evidence.score_table import parse_score_table
from kaohe.schemes.snapshot import scheme_from_snapshot
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.files import Content, StoredFile, remove_dir
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.services.scoping import unit_scope
from kaohe.services.uploads import Upload
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.obligations import complete
from kaohe.store.submissions import (
    add_submission,
    close_submissions,
    next_version,
    obligation_to_submit,
    record_self_scores,
)

__all__ = ["CloseSubmissions", "Submit", "SubmitResult", "SubmissionsClosed", "close_stage_submissions", "submit"]


@dataclass(frozen=True)
class Submit:
    """A unit hands in its report (and self-score table) for a stage; ``at`` records a paper submission's real time."""

    actor: Actor
    cycle: str
    unit: str
    stage: str
    report: Upload
    scores: Upload | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SubmitResult:
    """What one submission stored."""

    cycle: str
    unit: str
    stage: str
    version: int
    submitted_at: dt.datetime
    late_by_seconds: int
    completed: bool
    scores: int
    files: list[StoredFile] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"cycle": self.cycle, "unit": self.unit, "stage": self.stage, "version": self.version,
                "submitted_at": self.submitted_at.isoformat(), "late": self.late_by_seconds > 0,
                "late_by_seconds": self.late_by_seconds, "lateness": describe_lateness(self.late_by_seconds),
                "completed_obligation": self.completed, "scores": self.scores, "files": [f.to_json() for f in self.files]}


def submit(context: AppContext, command: Submit) -> SubmitResult:
    """Check, store the files and record them with the self-scores, all or nothing; a late submission is taken and marked."""
    report = command.report.content("报告文件")
    score_bytes = command.scores.require("自评表") if command.scores is not None else None
    with context.unit_of_work(command.actor) as uow:
        now = command.at or uow.now
        session = uow.session
        cycle = get_cycle(session, command.cycle)
        authorize(command.actor, Action.SUBMIT, unit_scope(cycle, get_unit(session, cycle, command.unit)))
        obligation, stage, unit = obligation_to_submit(session, cycle, command.unit, command.stage, now=now,
                                                       with_scores=command.scores is not None)
        rows = []
        if command.scores is not None and score_bytes is not None:
            indicators = indicators_for(scheme_from_snapshot(cycle.scheme_snapshot).scoring_spec, sequence=unit.sequence, kind=unit.kind)
            rows = parse_score_table(score_bytes, command.scores.name, indicators)
        version = next_version(session, obligation)
        late = late_by_seconds(now, obligation.due_at)
        files: list[tuple[str, str, Content]] = [("report", command.report.name, report)]
        if command.scores is not None and score_bytes is not None:
            files.append(("score_table", command.scores.name, score_bytes))
        created, stored = context.files.write(submission_dir(cycle.key, unit.code, stage.key, version), files)
        uow.on_failure(lambda: remove_dir(created))
        by = command.actor.account
        rows_by_kind = {}
        for item in stored:
            rows_by_kind[item.kind] = add_submission(
                session, obligation, version=version, kind=item.kind, file_name=item.file_name, sha256=item.sha256,
                size=item.size, stored_path=item.stored_path, submitted_at=now, late_by_seconds=late, submitted_by=by)
        if rows:
            record_self_scores(session, unit, rows, rows_by_kind["score_table"])
        first = obligation.status in ("pending", "overdue")
        if first:
            complete(session, cycle, unit.code, stage.key, at=now, actor=by)
        uow.audit("submission.received", cycle_id=cycle.id, subject=f"{stage.key}:{unit.code}", at=now,
                  detail={"version": version, "late_by_seconds": late, "files": [f.to_json() for f in stored], "scores": len(rows)})
        return SubmitResult(cycle.key, unit.code, stage.key, version, now, late, first, len(rows), stored)


@dataclass(frozen=True)
class CloseSubmissions:
    """End a stage's submissions: from then on every submission for it, late ones too, is refused."""

    actor: Actor
    cycle: str
    stage: str
    reason: str = ""


@dataclass(frozen=True)
class SubmissionsClosed:
    """When and by whom a stage's submissions were closed."""

    cycle: str
    stage: str
    closed_at: dt.datetime
    closed_by: str
    reason: str

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"cycle": self.cycle, "stage": self.stage, "closed_at": self.closed_at.isoformat(), "closed_by": self.closed_by,
                "reason": self.reason}


def close_stage_submissions(context: AppContext, command: CloseSubmissions) -> SubmissionsClosed:
    """Close the stage's submissions (StateError if they were closed already)."""
    authorize(command.actor, Action.CLOSE_SUBMISSIONS, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        closure = close_submissions(uow.session, get_cycle(uow.session, command.cycle), command.stage, by=command.actor.account,
                                    reason=command.reason, now=uow.now)
        return SubmissionsClosed(command.cycle, command.stage, closure.closed_at, closure.closed_by, closure.reason)
