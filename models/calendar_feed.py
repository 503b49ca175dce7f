"""The secret address of a unit's calendar subscription (ICS)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base


class CalendarFeed(Base):
    """A unit's subscription: the token in its address is derived from the site secret, the unit code and
    ``generation``, so nothing secret is stored; rotating counts ``generation`` up and the old address stops working."""

    __tablename__ = "calendar_feeds"

    unit_code: Mapped[str] = mapped_column(String(100), primary_key=True)
    generation: Mapped[int] = mapped_column(default=1)
    rotated_at: Mapped[dt.datetime]
    rotated_by: Mapped[str] = mapped_column(String(200))
