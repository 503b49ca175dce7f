"""Read-only queries the edges show: each opens a reading session of the context, writes nothing, and returns
plain JSON-ready data (Beijing-time ISO instants). Who may see what is the edge's matter (the CLI is the
local operator; a web page checks its account before it asks)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kaohe.clock import BEIJING
from kaohe.services.context import AppContext
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.cycles import list_cycles as stored_cycles


def _bj(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(BEIJING).isoformat() if instant is not None else None


def list_cycles(context: AppContext) -> list[dict[str, Any]]:
    """Every cycle: key, scheme, year, number of units, status, whether any date is provisional."""
    with context.reading() as session:
        return [{"cycle": c.key, "scheme": c.scheme_id, "year": c.year, "units": len(c.units), "status": c.status,
                 "provisional": c.provisional} for c in stored_cycles(session)]


def active_cycles(context: AppContext) -> list[str]:
    """Keys of the cycles still running, in key order."""
    from kaohe.store.cycles import active_cycle_keys

    with context.reading() as session:
        return active_cycle_keys(session)


def list_orders(context: AppContext, cycle: str) -> list[dict[str, Any]]:
    """The cycle's supervision orders with their status, the unit's 签收 (when, by whom) and replies, and scores."""
    from kaohe.evidence.orders import order_no
    from kaohe.store.orders import list_orders as stored_orders

    with context.reading() as session:
        found = get_cycle(session, cycle)
        codes = {u.id: u.code for u in found.units}
        return [{"order": o.number, "order_no": order_no(found.year, o.number), "unit": codes[o.unit_id], "issue": o.issue,
                 "due": _bj(o.due_at), "status": o.status, "closed_at": _bj(o.closed_at), "evidence": o.evidence_file_name,
                 "acknowledged_at": _bj(o.acknowledged_at), "acknowledged_by": o.acknowledged_by, "replies": list(o.replies),
                 "scores": list(o.scores)} for o in stored_orders(session, found)]


def list_submissions(context: AppContext, cycle: str, *, unit: str | None = None, stage: str | None = None) -> list[dict[str, Any]]:
    """Every version of every file handed in (optionally of one unit or stage)."""
    from kaohe.store.submissions import list_submissions as stored_submissions

    with context.reading() as session:
        return [{"unit": code, "stage": key, "version": s.version, "kind": s.kind, "file": s.file_name, "sha256": s.sha256,
                 "size": s.size, "path": s.stored_path, "submitted_at": _bj(s.submitted_at), "late_by_seconds": s.late_by_seconds,
                 "submitted_by": s.submitted_by}
                for s, code, key in stored_submissions(session, get_cycle(session, cycle), unit_code=unit, stage_key=stage)]


def result_versions(context: AppContext, cycle: str) -> list[dict[str, Any]]:
    """The published result versions: who, when, why, where the documents are, when the units were told."""
    from kaohe.store.results import list_versions

    with context.reading() as session:
        return [{"version": v.version, "published_at": _bj(v.published_at), "published_by": v.published_by, "reason": v.reason,
                 "documents": v.documents_dir, "rule": v.rectify_rule, "feedback_sent_at": _bj(v.feedback_sent_at)}
                for v in list_versions(session, get_cycle(session, cycle))]


def result_version(context: AppContext, cycle: str, number: int | None = None) -> dict[str, Any]:
    """One result version (None: the one in force) with every unit's total, grade and rank."""
    from kaohe.store.results import get_version, unit_records

    with context.reading() as session:
        version = get_version(session, get_cycle(session, cycle), number)
        return {"cycle": cycle, "version": version.version, "reason": version.reason,
                "results": [{"unit": u.code, "name": u.name, "total": r.total, "grade": r.grade, "rank": r.rank, "group": r.group,
                             "must_rectify": r.must_rectify, "changed": r.changed, "letter": r.letter_path}
                            for r, u in unit_records(session, version)]}


DEFAULT_APPROVAL_STEPS = ({"id": "leader", "body": "考核领导机构", "action": "审定", "role": "leader", "clause": "默认"},)
"""The approval of a cycle whose scheme snapshot predates approval steps: one leader step."""


def result_approval(context: AppContext, cycle: str) -> dict[str, Any] | None:
    """Where the newest result version stands in its approval, from the audit log; None before any result.

    ``version``; ``steps``, each of the scheme's steps with ``approved_by`` and ``approved_at`` (None until recorded);
    ``next_step``, the first step not recorded (None once all are); ``complete``, whether every step is recorded."""
    from kaohe.store.approvals import recorded_approvals
    from kaohe.store.results import latest_version

    with context.reading() as session:
        found = get_cycle(session, cycle)
        version = latest_version(session, found)
        if version is None:
            return None
        number, recorded = version.version, recorded_approvals(session, found, version.version)
        approval = (found.scheme_snapshot or {}).get("approval") or {}
    steps = []
    for step in approval.get("steps") or DEFAULT_APPROVAL_STEPS:
        entry = recorded.get(step["id"])
        steps.append({**step, "approved_by": entry.by if entry else None, "approved_at": _bj(entry.at) if entry else None})
    return {"version": number, "steps": steps, "next_step": next((s for s in steps if not s["approved_by"]), None),
            "complete": all(s["approved_by"] for s in steps)}


def rectifications(context: AppContext, cycle: str, unit: str | None = None) -> list[dict[str, Any]]:
    """Each unit's rectification obligation and the review of its items."""
    from kaohe.store.results import list_rectifications

    with context.reading() as session:
        return [{"unit": u.code, "name": u.name, "obligation": o.status, "due": _bj(o.due_at),
                 "items": [{"item": i.number, "text": i.text, "status": i.status, "reviewed_by": i.reviewed_by, "note": i.review_note}
                           for i in items]}
                for u, o, items in list_rectifications(session, get_cycle(session, cycle), unit)]


def calendar_feed(context: AppContext, cycle: str, unit: str | None = None) -> bytes:
    """The cycle's deadlines as an iCalendar file; with ``unit``, that unit's own, with its signed task links."""
    from kaohe.ics import cycle_calendar
    from kaohe.notifications.links import signer_from_settings

    link = signer_from_settings(context.settings) if unit else None
    with context.reading() as session:
        return cycle_calendar(session, get_cycle(session, cycle), unit_code=unit, link=link)


def check_unit(context: AppContext, cycle: str, unit: str) -> None:
    """NotFoundError unless ``unit`` is on ``cycle``'s roster."""
    with context.reading() as session:
        get_unit(session, get_cycle(session, cycle), unit)


def accounts(context: AppContext) -> list[dict[str, Any]]:
    """Every portal account: role, unit, name, whether active, set up, locked, and its last login."""
    from kaohe.accounts.service import list_accounts

    now = context.clock.now()
    with context.reading() as session:
        return [{"account": a.name, "role": a.role, "unit": a.unit_code, "name": a.display_name, "active": a.active,
                 "password_set": a.password_hash is not None, "locked": bool(a.locked_until and a.locked_until > now),
                 "last_login": a.last_login_at.isoformat() if a.last_login_at else None} for a in list_accounts(session)]


def status(context: AppContext, cycle: str | None = None, *, unit: str | None = None, tree: bool = False) -> dict[str, Any]:
    """Where ``cycle`` (None: the newest) stands: its stages (``{"cycle", "stages"}`` of StageStatus), or one unit's
    obligations and messages (``unit``), or the tree of cycles above and below it with their dates (``tree``)."""
    from kaohe.store.cycles import cycle_ref
    from kaohe.store.status import cycle_status, unit_status

    now = context.clock.now()
    with context.reading() as session:
        cycle_id, key = cycle_ref(session, cycle)
        if tree:
            from kaohe.cascade.levels import tree_view

            return tree_view(session, get_cycle(session, key))
        if unit:
            found = get_cycle(session, key)
            return dict(unit_status(session, found, get_unit(session, found, unit), now))
        return {"cycle": key, "stages": cycle_status(session, cycle_id, now)}


def cycle_instants(context: AppContext, cycle: str) -> list[dt.datetime]:
    """Every instant the cycle must be advanced at (deadlines, reminder waves planned from its stored stages and
    obligations, and the send times of messages already queued, such as a supervision order's reminders)."""
    from kaohe.engine.advance import wave_instants
    from kaohe.store.advance import obligation_states, stage_states
    from kaohe.store.outbox import pending_send_times

    with context.reading() as session:
        stored = get_cycle(session, cycle)
        planned = wave_instants(stage_states(stored), obligation_states(session, stored), context.calendar, stored.office_hours)
        return sorted({*planned, *pending_send_times(session, cycle_id=stored.id)})
