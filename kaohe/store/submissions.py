"""Recording submissions: which obligation a file answers, its version, and the self-scores it carries.

Late submissions are accepted and marked late (``late_by_seconds`` against the obligation's own due
date, extensions included) for as long as the coordinator has not closed the stage's submissions with
``close_submissions``; the engine closing a stage at its deadline does not stop them. After the
explicit closing a submission is refused with a clear error. A stage whose window has not opened yet
refuses submissions too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kaohe.errors import NotFoundError, StateError, SubmissionError
from kaohe.evidence.score_table import ScoreRow
from kaohe.models import (
    Cycle,
    CycleStage,
    ItemScore,
    Obligation,
    Submission,
    SubmissionClosure,
    Unit,
    VerificationSignoff,
)
from kaohe.schemes.model import ROLE_NAMES
from kaohe.store.audit import record
from kaohe.store.cycles import get_unit

SCORE_STAGE_KINDS = frozenset({"self_report", "submission"})


def get_stage(session: Session, cycle: Cycle, stage_key: str) -> CycleStage:
    """The stage ``stage_key`` of ``cycle``; NotFoundError lists the stages."""
    stage = session.scalar(select(CycleStage).where(CycleStage.cycle_id == cycle.id, CycleStage.key == stage_key))
    if stage is None:
        raise NotFoundError(f"周期 {cycle.key} 没有阶段 {stage_key}（有：{', '.join(s.key for s in cycle.stages)}）")
    return stage


def closure_of(session: Session, stage: CycleStage) -> SubmissionClosure | None:
    """The coordinator's closing of the stage's submissions, if any."""
    return session.scalar(select(SubmissionClosure).where(SubmissionClosure.stage_id == stage.id))


def obligation_to_submit(session: Session, cycle: Cycle, unit_code: str, stage_key: str, *, now: dt.datetime,
                         with_scores: bool) -> tuple[Obligation, CycleStage, Unit]:
    """The obligation a submission answers; SubmissionError / StateError say why it cannot be accepted."""
    stage = get_stage(session, cycle, stage_key)
    unit = get_unit(session, cycle, unit_code)
    obligation = session.scalar(select(Obligation).where(Obligation.stage_id == stage.id, Obligation.unit_id == unit.id))
    if obligation is None:
        who = ROLE_NAMES.get(stage.actor or "", "无")
        raise SubmissionError(f"单位 {unit_code}（{unit.name}）无须在阶段 {stage_key}（{stage.name}）报送：该阶段的报送单位为{who}")
    if obligation.status == "waived":
        raise SubmissionError(f"单位 {unit_code} 在阶段 {stage_key} 的报送已免除，不再接收材料")
    if stage.opens_at is not None and now < stage.opens_at:
        raise SubmissionError(f"阶段 {stage_key}（{stage.name}）尚未开始，{stage.opens_at.isoformat()} 起接收报送")
    closure = closure_of(session, stage)
    if closure is not None:
        raise StateError(f"阶段 {stage_key}（{stage.name}）已于 {closure.closed_at.isoformat()} 由 {closure.closed_by} 截止收件，不再接受报送")
    if with_scores and stage.kind not in SCORE_STAGE_KINDS:
        raise SubmissionError(f"阶段 {stage_key}（{stage.name}）不收自评表；自评表在自查或报送阶段提交")
    return obligation, stage, unit


def next_version(session: Session, obligation: Obligation) -> int:
    """The version number the next submission for ``obligation`` gets (1 for the first)."""
    current = session.scalar(select(func.max(Submission.version)).where(Submission.obligation_id == obligation.id))
    return (current or 0) + 1


def add_submission(session: Session, obligation: Obligation, *, version: int, kind: str, file_name: str, sha256: str,
                   size: int, stored_path: str, submitted_at: dt.datetime, late_by_seconds: int, submitted_by: str) -> Submission:
    """One stored file of a submission version."""
    row = Submission(cycle_id=obligation.cycle_id, obligation_id=obligation.id, stage_id=obligation.stage_id,
                     unit_id=obligation.unit_id, version=version, kind=kind, file_name=file_name, sha256=sha256, size=size,
                     stored_path=stored_path, submitted_at=submitted_at, late_by_seconds=late_by_seconds, submitted_by=submitted_by)
    session.add(row)
    session.flush()
    return row


def record_self_scores(session: Session, unit: Unit, rows: Sequence[ScoreRow], submission: Submission) -> int:
    """Replace the unit's self-scores by those of ``submission``; items it no longer lists lose their self-score.

    Once the verifier has signed the unit's scores off they are frozen: StateError, nothing changes.
    """
    signed = session.scalar(select(VerificationSignoff).where(VerificationSignoff.unit_id == unit.id))
    if signed is not None:
        raise StateError(f"单位 {unit.code} 的评分已于 {signed.signed_at:%Y-%m-%d} 由 {signed.signed_by} 签字核实，自评分不能再更改")
    existing = {s.item_id: s for s in session.scalars(select(ItemScore).where(ItemScore.unit_id == unit.id))}
    listed = set()
    for position, row in enumerate(rows):
        listed.add(row.item_id)
        score = existing.get(row.item_id)
        if score is None:
            score = ItemScore(cycle_id=unit.cycle_id, unit_id=unit.id, item_id=row.item_id)
            session.add(score)
        score.item_name, score.position, score.max_points = row.item_name, position, row.maximum
        score.self_score, score.self_note, score.self_submission_id = row.score, row.note, submission.id
    for item_id, score in existing.items():
        if item_id in listed:
            continue
        if score.verified_score is None:
            session.delete(score)
        else:
            score.self_score, score.self_note, score.self_submission_id = None, None, submission.id
    return len(rows)


def list_submissions(session: Session, cycle: Cycle, *, unit_code: str | None = None,
                     stage_key: str | None = None) -> list[tuple[Submission, str, str]]:
    """Every stored file of the cycle (optionally one unit's or one stage's), with unit code and stage key."""
    query = (select(Submission, Unit.code, CycleStage.key).join(Unit, Submission.unit_id == Unit.id)
             .join(CycleStage, Submission.stage_id == CycleStage.id).where(Submission.cycle_id == cycle.id))
    if unit_code is not None:
        query = query.where(Unit.code == get_unit(session, cycle, unit_code).code)
    if stage_key is not None:
        query = query.where(CycleStage.key == get_stage(session, cycle, stage_key).key)
    rows = session.execute(query.order_by(CycleStage.position, Unit.code, Submission.version, Submission.kind)).all()
    return [(s, code, key) for s, code, key in rows]


def close_submissions(session: Session, cycle: Cycle, stage_key: str, *, by: str, reason: str, now: dt.datetime) -> SubmissionClosure:
    """End submissions for a stage: from now on ``kaohe submit`` refuses it (StateError if already closed)."""
    stage = get_stage(session, cycle, stage_key)
    existing = closure_of(session, stage)
    if existing is not None:
        raise StateError(f"阶段 {stage_key} 已于 {existing.closed_at.isoformat()} 截止收件")
    closure = SubmissionClosure(cycle_id=cycle.id, stage_id=stage.id, closed_at=now, closed_by=by, reason=reason)
    session.add(closure)
    pending = session.scalar(select(func.count()).select_from(Obligation).where(
        Obligation.stage_id == stage.id, Obligation.status.in_(("pending", "overdue"))))
    record(session, actor=by, action="submissions.closed", cycle_id=cycle.id, subject=stage_key, at=now,
           detail={"reason": reason, "still_owing": pending})
    return closure
