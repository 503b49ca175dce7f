"""Supervision orders (督办单): issued to a unit, tracked to closure with evidence, scored with immediate feedback."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base


class SupervisionOrder(Base):
    """One order. Its deadline lives in a stage row of its own (``stage_id``) holding the unit's obligation,
    so the advancing engine marks it overdue and ``kaohe status`` shows it like any stage."""

    __tablename__ = "supervision_orders"
    __table_args__ = (UniqueConstraint("cycle_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("cycle_stages.id", ondelete="CASCADE"), unique=True)
    issue: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[dt.datetime]
    issued_by: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20), default="open", doc="open or closed")
    evidence_file_name: Mapped[str | None] = mapped_column(String(500))
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    evidence_size: Mapped[int | None] = mapped_column(BigInteger)
    evidence_path: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(200))
    scores: Mapped[list[Any]] = mapped_column(default=list, doc="immediate-feedback scorings, oldest first")
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(doc="when the unit signed for it (签收)")
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    replies: Mapped[list[Any]] = mapped_column(default=list, doc="the unit's replies (回复), oldest first: at, by, text")
