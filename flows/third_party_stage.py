"""The third-party stage's work: send the drawn sample to the evaluator, and collect its results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from kaohe.tasks.stage_work import collect_review_results, send_sample_for_review


@flow(name="third-party-stage", flow_run_name="third-party {cycle} · {stage}")
async def third_party_stage(cycle: str, stage: str, as_of: dt.datetime, collect: bool = False) -> dict[str, Any]:
    """Make sure the sample was sent (idempotent); with ``collect``, fetch and keep the results so far."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    sent = await send_sample_for_review(cycle, stage, as_of)
    result: dict[str, Any] = {"stage": stage, "send": sent}
    if collect:
        result["collect"] = await collect_review_results(cycle, stage, as_of)
    return result
