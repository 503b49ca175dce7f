"""A cycle (one scheme, one assessment year) and its dated stages."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.models.base import Base, utcnow

if TYPE_CHECKING:
    from kaohe.models.unit import Unit


class Cycle(Base):
    """One yearly run of a scheme; ``key`` (e.g. ``mile-2018``) is how people name it."""

    __tablename__ = "cycles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    scheme_id: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    scheme_snapshot: Mapped[dict[str, Any]] = mapped_column(doc="the scheme as loaded when the cycle was created")
    holiday_policy: Mapped[str | None] = mapped_column(String(20), doc="cycle-wide override, or null")
    events: Mapped[dict[str, Any]] = mapped_column(default=dict)
    office_hours: Mapped[str] = mapped_column(String(5), default="09:00")
    provisional: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    advanced_to: Mapped[dt.datetime | None] = mapped_column(doc="the last instant the cycle was advanced to")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"), index=True,
                                                  doc="the cycle whose dates this one's follow (a city's under its province's)")
    parent_unit: Mapped[str | None] = mapped_column(String(100), doc="this cycle's own unit code in the parent's roster")
    schedule_stale_since: Mapped[dt.datetime | None] = mapped_column(
        doc="set when the cycle's dates moved after its scheduled runs were last synced (schedule-cycle clears it)")
    calendar_hash: Mapped[str | None] = mapped_column(
        String(64), doc="fingerprint of the working-day calendar the cycle's dates were last resolved with (null: unknown)")

    stages: Mapped[list[CycleStage]] = relationship(back_populates="cycle", order_by="CycleStage.position", cascade="all, delete-orphan")
    units: Mapped[list[Unit]] = relationship(back_populates="cycle", order_by="Unit.code", cascade="all, delete-orphan")
    parent: Mapped[Cycle | None] = relationship(remote_side="Cycle.id", back_populates="children")
    children: Mapped[list[Cycle]] = relationship(back_populates="parent", order_by="Cycle.key")


class CycleStage(Base):
    """A stage of a cycle with its final dates and the reason they moved."""

    __tablename__ = "cycle_stages"
    __table_args__ = (UniqueConstraint("cycle_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str | None] = mapped_column(String(50))
    clause: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[dt.datetime | None]
    due_at: Mapped[dt.datetime]
    source_due: Mapped[dt.date | None]
    adjusted: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    date_origin: Mapped[str] = mapped_column(String(20))
    holiday_policy: Mapped[str] = mapped_column(String(20))
    provisional: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default="pending", doc="pending, open or closed")
    pinned_due: Mapped[dt.datetime | None] = mapped_column(doc="set when an admin moved the whole stage: re-planning keeps it")
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]

    cycle: Mapped[Cycle] = relationship(back_populates="stages")
