"""What a simulated cycle left in the store, read back for the JSON of ``kaohe simulate``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.evidence.orders import order_no, order_stage_key
from kaohe.models import (
    AuditEntry,
    Cycle,
    Obligation,
    OutboxMessage,
    ResultVersion,
    SampleDraw,
    ThirdPartyReview,
    Unit,
    UnitResultRecord,
    VerificationSignoff,
)
from kaohe.store.cycles import get_cycle
from kaohe.store.orders import list_orders
from kaohe.store.results import list_rectifications
from kaohe.store.submissions import list_submissions


@dataclass
class SimulationResult:
    """What happened, as the JSON of ``kaohe simulate``."""

    cycle: str
    database: str
    events: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    submissions: list[dict[str, Any]] = field(default_factory=list)
    verifications: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    rectifications: list[dict[str, Any]] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)
    advances: int = 0

    def to_json(self) -> dict[str, Any]:
        """The simulation report."""
        return {"cycle": self.cycle, "database": self.database, "advances": self.advances, "received": self.received,
                "events": self.events, "completions": self.completions, "deliveries": self.deliveries, "actions": self.actions,
                "submissions": self.submissions, "verifications": self.verifications, "orders": self.orders,
                "samples": self.samples, "reviews": self.reviews, "results": self.results, "rectifications": self.rectifications}


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(BEIJING).isoformat() if value else None


def collect(url: str, key: str, result: SimulationResult) -> None:
    """Fill ``result`` from the store: stage events, completed obligations, messages and the evidence kept."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        codes: dict[int, str] = dict(session.execute(select(Unit.id, Unit.code).where(Unit.cycle_id == cycle.id)).tuples().all())
        stages = {s.id: s.key for s in cycle.stages}
        result.events = _events(session, cycle)
        result.completions = _completions(session, cycle, codes, stages)
        result.deliveries = _deliveries(session, cycle, codes)
        result.submissions = [
            {"unit": code, "stage": stage, "version": s.version, "kind": s.kind, "file": s.file_name, "sha256": s.sha256,
             "size": s.size, "path": s.stored_path, "submitted_at": _iso(s.submitted_at), "late_by_seconds": s.late_by_seconds}
            for s, code, stage in list_submissions(session, cycle)
        ]
        result.verifications = [
            {"unit": codes[v.unit_id], "signed_by": v.signed_by, "signed_at": _iso(v.signed_at),
             "self_total": format(v.self_total, "f") if v.self_total is not None else None,
             "verified_total": format(v.verified_total, "f"), "changed": sum(1 for d in v.differences if d.get("changed"))}
            for v in session.scalars(select(VerificationSignoff).where(VerificationSignoff.cycle_id == cycle.id)
                                     .order_by(VerificationSignoff.signed_at, VerificationSignoff.id))
        ]
        result.orders = _orders(session, cycle, codes)
        result.samples = [
            {"stage": stages[d.stage_id], "seed_hash": d.seed_hash, "record_hash": d.record_hash, "drawn_at": _iso(d.drawn_at),
             "drawn_by": d.drawn_by, "selected": list(d.drawn_units)}
            for d in session.scalars(select(SampleDraw).where(SampleDraw.cycle_id == cycle.id).order_by(SampleDraw.id))
        ]
        result.reviews = [
            {"stage": stages[r.stage_id], "review_id": r.review_id, "status": r.status, "units": list(r.units),
             "sent_at": _iso(r.sent_at), "received_at": _iso(r.received_at), "received": sorted(r.results),
             "missing": list(r.missing), "problems": list(r.problems), "error": r.last_error}
            for r in session.scalars(select(ThirdPartyReview).where(ThirdPartyReview.cycle_id == cycle.id).order_by(ThirdPartyReview.id))
        ]
        result.results = _results(session, cycle, codes)
        result.rectifications = [
            {"unit": unit.code, "status": obligation.status, "due": _iso(obligation.due_at), "completed_at": _iso(obligation.completed_at),
             "late": bool(obligation.completed_at and obligation.completed_at > obligation.due_at),
             "items": [{"item": i.number, "text": i.text, "status": i.status} for i in items]}
            for unit, obligation, items in list_rectifications(session, cycle)
        ]


def _events(session: Session, cycle: Cycle) -> list[dict[str, Any]]:
    entries = session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle.id, AuditEntry.action.like("stage.%"))
                              .order_by(AuditEntry.at, AuditEntry.id))
    return [{"at": _iso(e.at), "stage": e.subject, "event": e.action.removeprefix("stage.")} for e in entries]


def _completions(session: Session, cycle: Cycle, codes: dict[int, str], stages: dict[int, str]) -> list[dict[str, Any]]:
    done = session.scalars(select(Obligation).where(Obligation.cycle_id == cycle.id, Obligation.completed_at.is_not(None)))
    rows = [{"unit": codes[o.unit_id], "stage": stages[o.stage_id], "at": _iso(o.completed_at)} for o in done]
    return sorted(rows, key=lambda r: (r["at"], r["stage"], r["unit"]))


def _deliveries(session: Session, cycle: Cycle, codes: dict[int, str]) -> list[dict[str, Any]]:
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id)
                               .order_by(OutboxMessage.send_after, OutboxMessage.id))
    return [{"at": _iso(m.sent_at or m.send_after), "channel": m.channel, "unit": codes.get(m.unit_id) if m.unit_id is not None else None, "stage": m.stage_key,
             "kind": m.kind, "status": m.status} for m in messages]


def _orders(session: Session, cycle: Cycle, codes: dict[int, str]) -> list[dict[str, Any]]:
    rows = []
    for order in list_orders(session, cycle):
        obligation = session.scalar(select(Obligation).where(Obligation.stage_id == order.stage_id, Obligation.unit_id == order.unit_id))
        sent = Counter(m.kind for m in session.scalars(select(OutboxMessage).where(
            OutboxMessage.cycle_id == cycle.id, OutboxMessage.stage_key == order_stage_key(order.number), OutboxMessage.status == "sent")))
        rows.append({"order": order.number, "order_no": order_no(cycle.year, order.number), "unit": codes[order.unit_id],
                     "issue": order.issue, "issued_at": _iso(order.issued_at), "due": _iso(order.due_at), "status": order.status,
                     "obligation": obligation.status if obligation else None, "closed_at": _iso(order.closed_at),
                     "evidence_sha256": order.evidence_sha256, "messages_sent": dict(sorted(sent.items()))})
    return rows


def _results(session: Session, cycle: Cycle, codes: dict[int, str]) -> list[dict[str, Any]]:
    rows = []
    for version in session.scalars(select(ResultVersion).where(ResultVersion.cycle_id == cycle.id).order_by(ResultVersion.version)):
        records = list(session.scalars(select(UnitResultRecord).where(UnitResultRecord.version_id == version.id)))
        rows.append({"version": version.version, "published_at": _iso(version.published_at), "published_by": version.published_by,
                     "units": len(records), "grades": dict(sorted(Counter(r.grade for r in records if r.grade).items())),
                     "must_rectify": sorted(codes[r.unit_id] for r in records if r.must_rectify),
                     "feedback_sent_at": _iso(version.feedback_sent_at), "documents": version.documents_dir})
    return rows

