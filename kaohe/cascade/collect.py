"""Reading what flows up: each child cycle's results in force, with who published and who approved them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.cascade.upward import ChildResults
from kaohe.models import AuditEntry, Cycle
from kaohe.store.results import latest_version, unit_records


def children_results(session: Session, cycle: Cycle) -> list[ChildResults]:
    """The latest published version of every child cycle of ``cycle`` (children without results are skipped).

    ``approvals`` are the audit entries recording an approval of that version (``results.approve…``), in order.
    """
    found = []
    for child in sorted(cycle.children, key=lambda c: c.key):
        version = latest_version(session, child)
        if version is None:
            continue
        approvals = [
            {"by": entry.actor, "at": entry.at.isoformat(), "action": entry.action, "detail": entry.detail}
            for entry in session.scalars(select(AuditEntry).where(
                AuditEntry.cycle_id == child.id, AuditEntry.action.like("results.approv%"), AuditEntry.subject == f"v{version.version}")
                .order_by(AuditEntry.at, AuditEntry.id))
        ]
        units = frozenset(unit.code for _, unit in unit_records(session, version))
        found.append(ChildResults(child.key, child.scheme_id, child.parent_unit, version.version, version.published_at.isoformat(),
                                  version.published_by, approvals, version.report, units))
    return found
