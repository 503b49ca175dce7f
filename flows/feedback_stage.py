"""The feedback flow: each unit gets its result (with the path of its feedback letter), and the units that
must rectify get the rectification notice; once per published version."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prefect import flow

from kaohe.tasks.results import send_feedback_messages


@flow(name="send-feedback", flow_run_name="feedback {cycle}")
async def send_feedback(cycle: str, as_of: dt.datetime | None = None) -> dict[str, Any]:
    """Enqueue the ``results`` and ``rectification`` messages of the version in force (the advance flow sends them)."""
    instant = as_of or dt.datetime.now(dt.timezone.utc)
    if instant.tzinfo is None:
        raise ValueError("as_of must be timezone-aware (a naive time would be read as UTC)")
    return send_feedback_messages(cycle, instant)
