"""``kaohe review`` behind the command: send the sample to the evaluator, collect and keep what comes back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kaohe.db import session_scope
from kaohe.errors import ExternalServiceError, StateError
from kaohe.evaluator import EvaluatorAnswerError, EvaluatorClient, ReviewResult
from kaohe.store.audit import record
from kaohe.store.cycles import get_cycle
from kaohe.store.reviews import (
    get_review,
    record_answer,
    record_sent,
    review_request,
    review_stage,
    sample_to_review,
)


async def send_review(url: str, client: EvaluatorClient, cycle_key: str, stage_key: str, *, sample_stage: str | None = None,
                      by: str, now: dt.datetime) -> dict[str, Any]:
    """Send the drawn sample for review (idempotent: the same review id every time); record it once accepted."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        stage = review_stage(session, cycle, stage_key)
        existing = get_review(session, stage)
        if existing is not None and sample_stage is None:
            sample_stage = next(s.key for s in cycle.stages if s.id == existing.sample_stage_id) if existing.sample_stage_id else None
        sampled, draw = sample_to_review(session, cycle, sample_stage)
        request = review_request(cycle, stage, draw)
        sample_key = sampled.key
    try:
        ack = await client.submit(request)
    except ExternalServiceError as error:
        with session_scope(url) as session:
            cycle = get_cycle(session, cycle_key)
            record(session, actor=by, action="review.send_failed", cycle_id=cycle.id, subject=request.review_id, at=now,
                   detail={"error": str(error)})
        raise
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        stage = review_stage(session, cycle, stage_key)
        row, new = record_sent(session, cycle, stage, next(s for s in cycle.stages if s.key == sample_key), request, by=by, now=now)
        return {"cycle": cycle_key, "stage": stage_key, "review_id": row.review_id, "sample_stage": sample_key,
                "units": list(row.units), "status": ack.status, "new": new}


@dataclass(frozen=True)
class Collected:
    """What a collection kept and what went wrong with it (``error`` None: the answer was clean)."""

    summary: dict[str, Any]
    error: ExternalServiceError | None


async def collect_review(url: str, client: EvaluatorClient, cycle_key: str, stage_key: str, *, by: str,
                         now: dt.datetime) -> Collected:
    """Ask the evaluator for the results so far and keep every valid one, even from a broken or failed answer."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        stage = review_stage(session, cycle, stage_key)
        review = get_review(session, stage)
        if review is None:
            raise StateError(f"阶段 {stage_key} 尚未把样本送第三方评估：先运行 kaohe review send {cycle_key} --stage {stage_key}")
        review_id, units = review.review_id, list(review.units)
    result: ReviewResult | None
    failure: ExternalServiceError | None = None
    try:
        result = await client.collect(review_id, sample=units)
    except EvaluatorAnswerError as error:
        result, failure = error.result, error
    except ExternalServiceError as error:
        result, failure = None, error
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        review = get_review(session, review_stage(session, cycle, stage_key))
        assert review is not None
        record_answer(session, cycle, review, result, error=str(failure) if failure else None, by=by, now=now)
        summary = {"cycle": cycle_key, "stage": stage_key, "review_id": review.review_id, "status": review.status,
                   "received": sorted(review.results), "missing": list(review.missing), "problems": list(review.problems),
                   "error": review.last_error, "results": dict(review.results)}
    return Collected(summary, failure)
