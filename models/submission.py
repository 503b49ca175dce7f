"""What units hand in: every version of every file, and the coordinator's closing of a stage's submissions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kaohe.models.base import Base


class Submission(Base):
    """One stored file of one version of a unit's submission for an obligation.

    ``kind`` is ``report`` (自查报告/总结报告) or ``score_table`` (自评表); a version with both has two
    rows with the same ``version``. Nothing is ever overwritten: a resubmission is the next version.
    """

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("obligation_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligations.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("cycle_stages.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    stored_path: Mapped[str] = mapped_column(Text, doc="relative to settings.home")
    submitted_at: Mapped[dt.datetime]
    late_by_seconds: Mapped[int] = mapped_column(default=0, doc="0 when on time (obligation's own due date)")
    submitted_by: Mapped[str] = mapped_column(String(200))


class SubmissionClosure(Base):
    """The coordinator's explicit end of submissions for a stage; until then late submissions are accepted."""

    __tablename__ = "submission_closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("cycle_stages.id", ondelete="CASCADE"), unique=True)
    closed_at: Mapped[dt.datetime]
    closed_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
