"""A third-party review: the sample sent to the evaluator and every valid result received so far."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base


class ThirdPartyReview(Base):
    """One review per third-party stage. ``results`` maps unit code → the evaluator's result; a result once
    received is kept even when a later answer is broken."""

    __tablename__ = "third_party_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("cycle_stages.id", ondelete="CASCADE"), unique=True)
    sample_stage_id: Mapped[int | None] = mapped_column(ForeignKey("cycle_stages.id", ondelete="SET NULL"))
    review_id: Mapped[str] = mapped_column(String(200), unique=True)
    units: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="sent", doc="sent, pending, partial or complete")
    sent_at: Mapped[dt.datetime]
    sent_by: Mapped[str] = mapped_column(String(200))
    results: Mapped[dict[str, Any]] = mapped_column(default=dict)
    problems: Mapped[list[Any]] = mapped_column(default=list)
    missing: Mapped[list[Any]] = mapped_column(default=list)
    received_at: Mapped[dt.datetime | None]
    polls: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
