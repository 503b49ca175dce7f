"""Third-party review: send a drawn sample to the evaluator, collect and keep what comes back.

The evaluator is called between two transactions (no database transaction is held across the network):
what to send is read first, and what was sent or received is recorded in one unit of work afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from kaohe.errors import ExternalServiceError, StateError
from kaohe.evaluator import EvaluatorAnswerError, EvaluatorClient, ReviewResult
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.cycles import get_cycle
from kaohe.store.reviews import get_review, record_answer, record_sent, review_request, review_stage, sample_to_review

EVALUATOR_TIMEOUT = httpx.Timeout(30.0)
T = TypeVar("T")


@dataclass(frozen=True)
class SendReview:
    """Send the sample drawn in ``sample_stage`` (None: the one drawn, or the one sent before) for review in ``stage``."""

    actor: Actor
    cycle: str
    stage: str
    sample_stage: str | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ReviewSent:
    """The review id (the same every time), the units sent, the evaluator's status and whether it was new."""

    cycle: str
    stage: str
    review_id: str
    sample_stage: str
    units: tuple[str, ...]
    status: str
    new: bool

    def to_json(self) -> dict[str, Any]:
        """As ``kaohe review send --json`` prints it."""
        return {"cycle": self.cycle, "stage": self.stage, "review_id": self.review_id, "sample_stage": self.sample_stage,
                "units": list(self.units), "status": self.status, "new": self.new}


@dataclass(frozen=True)
class CollectReview:
    """Collect the results of ``stage``'s review so far."""

    actor: Actor
    cycle: str
    stage: str
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ReviewCollected:
    """What the review holds after the collection, and what went wrong with it (``error`` None: a clean answer)."""

    summary: dict[str, Any] = field(default_factory=dict)
    error: ExternalServiceError | None = None


@asynccontextmanager
async def _client(context: AppContext, client: EvaluatorClient | None) -> AsyncIterator[EvaluatorClient]:
    if client is not None:
        yield client
        return
    async with httpx.AsyncClient(timeout=EVALUATOR_TIMEOUT) as http:
        yield context.evaluator(http)


async def _call(context: AppContext, client: EvaluatorClient | None, call: Callable[[EvaluatorClient], Awaitable[T]]) -> T:
    async with _client(context, client) as chosen:
        return await call(chosen)


async def send_review(context: AppContext, command: SendReview, *, client: EvaluatorClient | None = None) -> ReviewSent:
    """Send the sample (idempotent: the same review id every time) and record it once the evaluator accepted it;
    a failure is audited and raised (ConfigError when no evaluator is configured)."""
    authorize(command.actor, Action.SEND_REVIEW, Scope(cycle=command.cycle))
    by = command.actor.account
    with context.reading() as session:
        cycle = get_cycle(session, command.cycle)
        stage = review_stage(session, cycle, command.stage)
        sample_stage = command.sample_stage
        existing = get_review(session, stage)
        if existing is not None and sample_stage is None and existing.sample_stage_id:
            sample_stage = next(s.key for s in cycle.stages if s.id == existing.sample_stage_id)
        sampled, draw = sample_to_review(session, cycle, sample_stage)
        request = review_request(cycle, stage, draw)
        sample_key = sampled.key
    try:
        ack = await _call(context, client, lambda c: c.submit(request))
    except ExternalServiceError as error:
        with context.unit_of_work(command.actor) as uow:
            uow.audit("review.send_failed", cycle_id=get_cycle(uow.session, command.cycle).id, subject=request.review_id,
                      detail={"error": str(error)}, at=command.at)
        raise
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        stage = review_stage(uow.session, cycle, command.stage)
        sampled = next(s for s in cycle.stages if s.key == sample_key)
        row, new = record_sent(uow.session, cycle, stage, sampled, request, by=by, now=command.at or uow.now)
        return ReviewSent(cycle.key, stage.key, row.review_id, sample_key, tuple(row.units), ack.status, new)


async def collect_review(context: AppContext, command: CollectReview, *, client: EvaluatorClient | None = None) -> ReviewCollected:
    """Ask the evaluator for the results so far and keep every valid one, even from a broken or failed answer
    (the failure is returned, not raised: what was received is recorded first)."""
    authorize(command.actor, Action.COLLECT_REVIEW, Scope(cycle=command.cycle))
    with context.reading() as session:
        review = get_review(session, review_stage(session, get_cycle(session, command.cycle), command.stage))
        if review is None:
            raise StateError(f"阶段 {command.stage} 尚未把样本送第三方评估：先运行 kaohe review send {command.cycle} --stage {command.stage}")
        review_id, units = review.review_id, list(review.units)
    result: ReviewResult | None
    failure: ExternalServiceError | None = None
    try:
        result = await _call(context, client, lambda c: c.collect(review_id, sample=units))
    except EvaluatorAnswerError as error:
        result, failure = error.result, error
    except ExternalServiceError as error:
        result, failure = None, error
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        row = get_review(uow.session, review_stage(uow.session, cycle, command.stage))
        assert row is not None
        record_answer(uow.session, cycle, row, result, error=str(failure) if failure else None, by=command.actor.account,
                      now=command.at or uow.now)
        summary = {"cycle": cycle.key, "stage": command.stage, "review_id": row.review_id, "status": row.status,
                   "received": sorted(row.results), "missing": list(row.missing), "problems": list(row.problems),
                   "error": row.last_error, "results": dict(row.results)}
    return ReviewCollected(summary, failure)
