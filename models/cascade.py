"""A change of dates that flowed down from a parent cycle, and its acknowledgement by the child's coordinator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base, utcnow


class DateChange(Base):
    """The dates of one cycle moved because an ancestor's did (an extension, an admin's change of a whole
    stage, a newly published holiday table). ``stages`` maps stage key → ``{"old": iso, "new": iso}``;
    ``units`` lists the codes that were told. The cycle's coordinator must acknowledge it: until then it is
    reminded (``reminded_on``, the last working day a reminder went out)."""

    __tablename__ = "date_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    origin_cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"), doc="where the change started")
    cause: Mapped[str] = mapped_column(String(50), doc="extension, override or holidays")
    reason: Mapped[str] = mapped_column(Text)
    stages: Mapped[dict[str, Any]] = mapped_column(default=dict)
    units: Mapped[list[Any]] = mapped_column(default=list)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    reminded_on: Mapped[dt.date | None]
