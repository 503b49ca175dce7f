"""Published results: each version of a cycle's ScoreReport, its per-unit lines, and the items units must rectify."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base, utcnow


class ResultVersion(Base):
    """One published version of a cycle's results. Never updated except ``feedback_sent_at``;
    a correction is the next version, which names the one it ``supersedes`` and the ``reason``."""

    __tablename__ = "result_versions"
    __table_args__ = (UniqueConstraint("cycle_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    report: Mapped[dict[str, Any]] = mapped_column(doc="ScoreReport.to_dict(): every number with where it came from")
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict, doc="sources per unit, score sheet and its checksum, previous year")
    rectify_rule: Mapped[str] = mapped_column(String(50))
    documents_dir: Mapped[str] = mapped_column(Text, doc="relative to settings.home: results/<cycle>/v<N>")
    published_at: Mapped[dt.datetime]
    published_by: Mapped[str] = mapped_column(String(200))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("result_versions.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    feedback_sent_at: Mapped[dt.datetime | None] = mapped_column(doc="when the units were sent this version's results")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class UnitResultRecord(Base):
    """One unit's line of a result version: total as text (exact decimals), grade, rank and group."""

    __tablename__ = "unit_results"
    __table_args__ = (UniqueConstraint("version_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("result_versions.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    total: Mapped[str] = mapped_column(String(40))
    grade: Mapped[str | None] = mapped_column(String(50))
    rank: Mapped[int]
    group: Mapped[str] = mapped_column(String(200))
    overall_rank: Mapped[int | None]
    selections: Mapped[list[Any]] = mapped_column(default=list, doc="ids of the selections (advanced, bottom …) that picked the unit")
    must_rectify: Mapped[bool] = mapped_column(default=False)
    findings: Mapped[list[Any]] = mapped_column(default=list, doc="the problems its feedback letter lists")
    letter_path: Mapped[str | None] = mapped_column(Text, doc="the feedback letter (DOCX), relative to settings.home")
    changed: Mapped[bool] = mapped_column(default=True, doc="differs from the superseded version (True in version 1)")


class RectificationItem(Base):
    """One problem a unit must rectify, reviewed item by item.

    Status: ``open`` (not reported yet) → ``reported`` (a rectification report was handed in) →
    ``accepted`` | ``rejected``; a rejected item re-opens the unit's obligation and goes back to
    ``reported`` with the next report. ``withdrawn`` when a corrected result no longer requires it.
    """

    __tablename__ = "rectification_items"
    __table_args__ = (UniqueConstraint("unit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("result_versions.id", ondelete="CASCADE"), doc="the version that raised it")
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
