"""Writing the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from kaohe.models import AuditEntry, utcnow


def record(session: Session, *, actor: str, action: str, cycle_id: int | None = None, subject: str = "",
           detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> AuditEntry:
    """Append one entry to the audit log."""
    entry = AuditEntry(at=at or utcnow(), actor=actor, action=action, cycle_id=cycle_id, subject=subject, detail=detail or {})
    session.add(entry)
    return entry
