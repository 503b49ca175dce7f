"""A unit of a cycle's roster (assessed unit, verifier, assessor, office)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kaohe.models.base import Base

if TYPE_CHECKING:
    from kaohe.models.cycle import Cycle


class Unit(Base):
    """One roster row; ``supervisor_code`` names the unit that overdue notices escalate to."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("cycle_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(100), index=True, doc="roster code; indexed: a unit account finds its tasks in every cycle by it")
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(50), default="assessed")
    township: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    city: Mapped[str | None] = mapped_column(String(100))
    county: Mapped[str | None] = mapped_column(String(100))
    poor_township: Mapped[bool | None]
    sequence: Mapped[str | None] = mapped_column(String(50))
    supervisor_code: Mapped[str | None] = mapped_column(String(100))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contacts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)

    cycle: Mapped[Cycle] = relationship(back_populates="units")
