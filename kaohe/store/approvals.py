"""Approval steps of a result version, as recorded in the audit log (``results.approved``, subject ``v<N>:<step>``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.models import AuditEntry, Cycle
from kaohe.results.approval import RecordedApproval

APPROVED = "results.approved"


def approval_subject(version: int, step: str) -> str:
    """The audit subject of step ``step`` of version ``version``."""
    return f"v{version}:{step}"


def recorded_approvals(session: Session, cycle: Cycle, version: int) -> dict[str, RecordedApproval]:
    """Step id → who recorded it and when, for version ``version`` of ``cycle``."""
    prefix = f"v{version}:"
    rows = session.execute(select(AuditEntry.subject, AuditEntry.actor, AuditEntry.at).where(
        AuditEntry.cycle_id == cycle.id, AuditEntry.action == APPROVED, AuditEntry.subject.startswith(prefix))).all()
    return {subject[len(prefix):]: RecordedApproval(subject[len(prefix):], actor, at) for subject, actor, at in rows}
