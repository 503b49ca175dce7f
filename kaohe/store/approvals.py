"""Approval steps of a result version, as recorded in the audit log: action ``results.approved``, subject
``v<N>``, the step id in ``detail["step"]`` (the web portal and the cascade read the same entries)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.models import AuditEntry, Cycle
from kaohe.results.approval import RecordedApproval

APPROVED = "results.approved"


def approval_subject(version: int) -> str:
    """The audit subject of an approval of version ``version``."""
    return f"v{version}"


def recorded_approvals(session: Session, cycle: Cycle, version: int) -> dict[str, RecordedApproval]:
    """Step id → who recorded it and when, for version ``version`` of ``cycle`` (the first record of a step counts)."""
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.cycle_id == cycle.id, AuditEntry.action == APPROVED, AuditEntry.subject == approval_subject(version))
        .order_by(AuditEntry.id))
    recorded: dict[str, RecordedApproval] = {}
    for entry in entries:
        step = str((entry.detail or {}).get("step", ""))
        recorded.setdefault(step, RecordedApproval(step, entry.actor, entry.at))
    return recorded
