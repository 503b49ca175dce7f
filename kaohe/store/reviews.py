"""Recording a third-party review: the sample sent, and every valid result received.

The review id is ``<cycle>-<stage>``, so sending again is idempotent on both sides (the evaluator
takes the id as its idempotency key; here the row is kept as it was). A result once received is
never lost: a later broken, partial or failed answer only adds its problems.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.errors import StateError
from kaohe.evaluator import ReviewRequest, ReviewResult, SampledUnit
from kaohe.models import Cycle, CycleStage, SampleDraw, ThirdPartyReview
from kaohe.store.audit import record
from kaohe.store.samples import drawn_stages, get_draw
from kaohe.store.submissions import get_stage

REVIEW_KIND = "third_party_review"


def review_id_for(cycle: Cycle, stage: CycleStage) -> str:
    """The review's id (and idempotency key) at the evaluator."""
    return f"{cycle.key}-{stage.key}"


def get_review(session: Session, stage: CycleStage) -> ThirdPartyReview | None:
    """The review of a third-party stage, if it was sent."""
    return session.scalar(select(ThirdPartyReview).where(ThirdPartyReview.stage_id == stage.id))


def unsent_review_stages(session: Session, cycle: Cycle) -> list[str]:
    """Third-party stages that are open and have not sent their sample yet, once the cycle has a drawn sample."""
    if not drawn_stages(session, cycle):
        return []
    return [s.key for s in cycle.stages if s.kind == REVIEW_KIND and s.status == "open" and get_review(session, s) is None]


def review_stage(session: Session, cycle: Cycle, stage_key: str) -> CycleStage:
    """The third-party stage ``stage_key``; StateError if the stage is of another kind."""
    stage = get_stage(session, cycle, stage_key)
    if stage.kind != REVIEW_KIND:
        raise StateError(f"阶段 {stage_key}（{stage.name}）不是第三方评估阶段")
    return stage


def sample_to_review(session: Session, cycle: Cycle, sample_stage_key: str | None) -> tuple[CycleStage, SampleDraw]:
    """The drawn sample to send: the named sampling stage's, else the cycle's only drawn one."""
    if sample_stage_key is not None:
        stage = get_stage(session, cycle, sample_stage_key)
        row = get_draw(session, stage)
        if row is None or row.drawn_at is None:
            raise StateError(f"阶段 {sample_stage_key} 尚未抽取，无样本可送第三方评估")
        return stage, row
    drawn = drawn_stages(session, cycle)
    if not drawn:
        raise StateError(f"周期 {cycle.key} 尚无抽样结果，请先运行 kaohe sample draw")
    if len(drawn) > 1:
        raise StateError(f"周期 {cycle.key} 有多个已抽取的抽样阶段（{'、'.join(s.key for s, _ in drawn)}），请用 --sample-stage 指定")
    return drawn[0]


def review_request(cycle: Cycle, stage: CycleStage, sample: SampleDraw) -> ReviewRequest:
    """The body sent to the evaluator: the drawn units with the attributes the draw recorded."""
    if not sample.drawn_units or sample.record is None:
        raise StateError("抽样结果为空，无样本可送第三方评估")
    entries = {e["code"]: e for e in sample.record["population"]}
    units = tuple(SampledUnit(code=code, name=entries[code]["name"], attributes=dict(entries[code]["attributes"]))
                  for code in sample.drawn_units)
    return ReviewRequest(review_id=review_id_for(cycle, stage), cycle=cycle.key, units=units)


def record_sent(session: Session, cycle: Cycle, stage: CycleStage, sample_stage: CycleStage, request: ReviewRequest, *,
                by: str, now: dt.datetime) -> tuple[ThirdPartyReview, bool]:
    """Keep the sent review (a re-send changes nothing); return it and whether it is new."""
    existing = get_review(session, stage)
    if existing is not None:
        record(session, actor=by, action="review.resent", cycle_id=cycle.id, subject=stage.key, at=now,
               detail={"review_id": existing.review_id})
        return existing, False
    row = ThirdPartyReview(cycle_id=cycle.id, stage_id=stage.id, sample_stage_id=sample_stage.id, review_id=request.review_id,
                           units=list(request.unit_codes), status="sent", sent_at=now, sent_by=by, results={}, problems=[],
                           missing=list(request.unit_codes), polls=0)
    session.add(row)
    session.flush()
    record(session, actor=by, action="review.sent", cycle_id=cycle.id, subject=stage.key, at=now,
           detail={"review_id": request.review_id, "units": list(request.unit_codes), "sample_stage": sample_stage.key})
    return row, True


def record_answer(session: Session, cycle: Cycle, review: ThirdPartyReview, result: ReviewResult | None, *, error: str | None,
                  by: str, now: dt.datetime) -> ThirdPartyReview:
    """Merge what an answer brought (valid results are added, earlier ones kept); note its problems or the failure."""
    results = dict(review.results)
    fresh = list(result.results) if result is not None else []
    for item in fresh:
        results[item.unit] = item.model_dump(mode="json")
    review.results = results
    review.missing = [code for code in review.units if code not in results]
    review.polls += 1
    review.problems = list(result.problems) if result is not None else []
    review.last_error = error
    if fresh:
        review.received_at = now
    evaluator_status = result.status if result is not None else None
    if not review.missing and (evaluator_status == "complete" or review.status == "complete"):
        review.status = "complete"
    elif results:
        review.status = "partial"
    elif evaluator_status is not None:
        review.status = "pending"
    record(session, actor=by, action="review.collected", cycle_id=cycle.id, subject=review.review_id, at=now,
           detail={"received": [r.unit for r in fresh], "status": review.status, "missing": review.missing,
                   "problems": review.problems, "error": error})
    return review
