"""What one unit owes in one stage, and where it stands."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.models.base import Base, utcnow
from kaohe.models.cycle import CycleStage
from kaohe.models.unit import Unit


class Obligation(Base):
    """Unit × stage. ``due_at`` starts as the stage's and moves only by a recorded extension."""

    __tablename__ = "obligations"
    __table_args__ = (UniqueConstraint("stage_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("cycle_stages.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    due_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(20), default="pending", doc="pending, done, overdue or waived")
    completed_at: Mapped[dt.datetime | None]
    overdue_since: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    stage: Mapped[CycleStage] = relationship()
    unit: Mapped[Unit] = relationship()
