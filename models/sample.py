"""A stage's spot-check draw: the seed committed by its hash first, then the verifiable record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base


class SampleDraw(Base):
    """One draw per sampling stage. ``record`` (the DrawRecord JSON) stays null until the draw is made;
    before that only ``seed_hash`` and ``inputs_hash`` are meant to be shown."""

    __tablename__ = "sample_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("cycle_stages.id", ondelete="CASCADE"), unique=True)
    seed: Mapped[str] = mapped_column(String(200))
    seed_hash: Mapped[str] = mapped_column(String(64))
    inputs_hash: Mapped[str] = mapped_column(String(64))
    rule: Mapped[dict[str, Any]]
    exclusions: Mapped[list[Any]] = mapped_column(default=list)
    published_at: Mapped[dt.datetime]
    published_by: Mapped[str] = mapped_column(String(200))
    record: Mapped[dict[str, Any] | None]
    record_hash: Mapped[str | None] = mapped_column(String(64))
    drawn_units: Mapped[list[Any]] = mapped_column(default=list)
    drawn_at: Mapped[dt.datetime | None]
    drawn_by: Mapped[str | None] = mapped_column(String(200))
