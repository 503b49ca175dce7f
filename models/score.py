"""Item scores (self and verified, per unit × indicator item) and the verifier's sign-off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base


class DecimalText(TypeDecorator[Decimal]):
    """An exact decimal kept as text, so SQLite and PostgreSQL give back the same ``Decimal``."""

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"{value!r}: scores are stored as finite Decimals")
        return format(value, "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value)


class ItemScore(Base):
    """One unit's score on one indicator item: what it claimed and what the verifier found."""

    __tablename__ = "item_scores"
    __table_args__ = (UniqueConstraint("unit_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(String(100))
    item_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    max_points: Mapped[Decimal | None] = mapped_column(DecimalText())
    self_score: Mapped[Decimal | None] = mapped_column(DecimalText())
    self_note: Mapped[str | None] = mapped_column(Text)
    self_submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id", ondelete="SET NULL"))
    verified_score: Mapped[Decimal | None] = mapped_column(DecimalText())
    verified_note: Mapped[str | None] = mapped_column(Text)
    verified_by: Mapped[str | None] = mapped_column(String(200))
    verified_at: Mapped[dt.datetime | None]


class VerificationSignoff(Base):
    """The verifier's signature under a unit's verified scores (第五条（二）: signed by the township leaders)."""

    __tablename__ = "verification_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    signed_by: Mapped[str] = mapped_column(String(200))
    signed_at: Mapped[dt.datetime]
    self_total: Mapped[Decimal | None] = mapped_column(DecimalText())
    verified_total: Mapped[Decimal] = mapped_column(DecimalText())
    differences: Mapped[list[Any]] = mapped_column(default=list)
