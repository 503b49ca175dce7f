"""Thin tasks of stage work: draw a sample, send it to the third-party evaluator, collect the results.

Each returns a small JSON summary. What a stage cannot do yet (no sampling rule in the scheme, no
sample drawn, no evaluator configured) is returned as ``skipped`` with the reason and logged, not
raised: advancing the cycle must not stop because of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import get_run_logger, task

from kaohe.errors import ConfigError, ExternalServiceError, SchemeError, StateError
from kaohe.services import current_context, reviews, sampling, system, task_queries

ACTOR = "flow:stage-work"


def _skipped(stage: str, error: Exception) -> dict[str, Any]:
    get_run_logger().warning("阶段 %s 暂不处理：%s", stage, error)
    return {"stage": stage, "skipped": str(error)}


@task(name="stage-kinds")
def stage_kinds(cycle_key: str) -> dict[str, str]:
    """Stage key → kind for every stage of the cycle."""
    return task_queries.stage_kinds(current_context(), cycle_key)


@task(name="unsent-reviews")
def unsent_reviews(cycle_key: str) -> list[str]:
    """Third-party stages that are open and have not sent their sample yet, once the cycle has a drawn sample."""
    return task_queries.unsent_reviews(current_context(), cycle_key)


@task(name="draw-sample")
def draw_sample(cycle_key: str, stage_key: str, as_of: dt.datetime) -> dict[str, Any]:
    """Draw the stage's sample with a fresh committed seed (nothing if it was drawn already)."""
    try:
        result = sampling.draw_sample(current_context(), sampling.DrawSample(system(ACTOR), cycle_key, stage_key, at=as_of)).to_json()
    except (SchemeError, StateError) as error:
        return _skipped(stage_key, error)
    return {key: result[key] for key in ("stage", "seed_hash", "record_hash", "selected", "notifications", "record_file")}


@task(name="send-review")
async def send_sample_for_review(cycle_key: str, stage_key: str, as_of: dt.datetime) -> dict[str, Any]:
    """Send the drawn sample to the evaluator (idempotent); if it cannot be reached, the next advance tries again."""
    try:
        sent = await reviews.send_review(current_context(), reviews.SendReview(system(ACTOR), cycle_key, stage_key, at=as_of))
    except (ConfigError, StateError, ExternalServiceError) as error:
        return _skipped(stage_key, error)
    return sent.to_json()


@task(name="collect-review")
async def collect_review_results(cycle_key: str, stage_key: str, as_of: dt.datetime) -> dict[str, Any]:
    """Collect the results so far; what was received is kept whatever went wrong."""
    try:
        collected = await reviews.collect_review(current_context(), reviews.CollectReview(system(ACTOR), cycle_key, stage_key, at=as_of))
    except (ConfigError, StateError, ExternalServiceError) as error:
        return _skipped(stage_key, error)
    summary = {key: collected.summary[key] for key in ("stage", "status", "received", "missing", "problems", "error")}
    if collected.error is not None:
        get_run_logger().warning("第三方评估答复有问题（已收到的结果已保存）：%s", collected.error)
    return summary
