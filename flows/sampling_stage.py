"""The sampling stage's work: draw its sample when it opens (seed committed, record kept, units told)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from kaohe.tasks.stage_work import draw_sample


@flow(name="sampling-stage", flow_run_name="sampling {cycle} · {stage}")
async def sampling_stage(cycle: str, stage: str, as_of: dt.datetime) -> dict[str, Any]:
    """Draw the sample of ``stage`` at ``as_of`` (a stage drawn already, or without a rule, is skipped and said so)."""
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    return draw_sample(cycle, stage, as_of)
