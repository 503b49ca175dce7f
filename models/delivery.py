"""The delivery record (催办记录): what a unit did with a message, and the hash-chained ledger of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base, utcnow


class DeliveryEvent(Base):
    """A unit opened its task link or acknowledged a reminder (recorded by the web portal)."""

    __tablename__ = "delivery_events"
    __table_args__ = (Index("ix_delivery_events_cycle_unit", "cycle_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    stage_key: Mapped[str | None] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(20), doc="opened or acknowledged")
    at: Mapped[dt.datetime]
    actor: Mapped[str] = mapped_column(String(200), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class LedgerEntry(Base):
    """One row of a cycle's delivery record, chained to the previous one by hash.

    ``entry`` is the row's canonical JSON text; ``hash`` = SHA-256(``prev_hash`` + ``entry``). An edited
    row no longer matches its hash; a removed row breaks the chain at the next one.
    """

    __tablename__ = "delivery_ledger"
    __table_args__ = (UniqueConstraint("cycle_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    source: Mapped[str] = mapped_column(String(320), doc="outbox:<key> or event:<id>: what the row records")
    entry: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
