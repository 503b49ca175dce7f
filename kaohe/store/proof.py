"""The delivery record (催办记录): every message of a cycle with its channel, when it was queued and sent,
what the receiving server answered, and when the unit opened its link or acknowledged; kept as an
append-only ledger whose rows are chained by SHA-256 so that an edited or removed row is detected.

``seal`` appends what happened since the last seal (a message reaching a final state, a link opened);
``verify_ledger`` recomputes the chain and compares each sealed message with the outbox row it records.
The web portal calls :func:`record_link_event` when a unit opens its task link or acknowledges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kaohe.errors import InputError, NotFoundError
from kaohe.models import Cycle, DeliveryEvent, LedgerEntry, OutboxMessage, Unit

GENESIS = "0" * 64
FINAL = ("sent", "failed", "uncertain", "cancelled")
LINK_EVENTS = ("opened", "acknowledged")


def chain_hash(prev_hash: str, entry: str) -> str:
    """SHA-256 of the previous row's hash, a newline and this row's canonical JSON."""
    return hashlib.sha256(f"{prev_hash}\n{entry}".encode()).hexdigest()


def canonical(data: Mapping[str, Any]) -> str:
    """The one JSON text of ``data`` that is hashed (sorted keys, no spaces, Chinese kept)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).isoformat() if value else None


def record_link_event(session: Session, cycle: Cycle, unit_code: str, event: str, *, at: dt.datetime, actor: str,
                      stage: str | None = None, detail: Mapping[str, Any] | None = None) -> DeliveryEvent:
    """Record that ``unit_code`` opened its task link (``opened``) or acknowledged a reminder
    (``acknowledged``) at ``at``; it enters the ledger at the next seal. Called by the web portal."""
    if event not in LINK_EVENTS:
        raise InputError(f"未知的回执类型：{event!r}（可用：{'、'.join(LINK_EVENTS)}）")
    unit = session.scalar(select(Unit).where(Unit.cycle_id == cycle.id, Unit.code == unit_code))
    if unit is None:
        raise NotFoundError(f"周期 {cycle.key} 中没有编码为 {unit_code} 的单位")
    row = DeliveryEvent(cycle_id=cycle.id, unit_id=unit.id, stage_key=stage, event=event, at=at, actor=actor, detail=dict(detail or {}))
    session.add(row)
    session.flush()
    return row


def message_entry(row: OutboxMessage, codes: Mapping[int, str]) -> dict[str, Any]:
    """What the ledger keeps of a message in a final state."""
    return {
        "type": "message", "key": row.key, "unit": codes.get(row.unit_id or -1), "about": codes.get(row.about_unit_id or -1),
        "stage": row.stage_key, "kind": row.kind, "channel": row.channel, "recipient": row.recipient, "subject": row.subject,
        "body_sha256": hashlib.sha256(row.body.encode()).hexdigest(), "queued_at": _iso(row.created_at),
        "send_after": _iso(row.send_after), "sent_at": _iso(row.sent_at), "status": row.status, "attempts": row.attempts,
        "answer": row.answer, "remote_id": row.remote_id, "sent_as": row.sent_as, "fallback_of": row.fallback_of,
        "error": row.last_error,
    }


def event_entry(row: DeliveryEvent, codes: Mapping[int, str]) -> dict[str, Any]:
    """What the ledger keeps of a link opened or a reminder acknowledged."""
    return {"type": row.event, "event_id": row.id, "unit": codes.get(row.unit_id), "stage": row.stage_key, "at": _iso(row.at),
            "actor": row.actor}


def has_unsealed(session: Session, cycle_id: int) -> bool:
    """Whether :func:`seal` would append anything to the cycle's ledger now (reads only)."""
    sealed = set(session.scalars(select(LedgerEntry.source).where(LedgerEntry.cycle_id == cycle_id)))
    final = session.execute(select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.attempts)
                            .where(OutboxMessage.cycle_id == cycle_id, OutboxMessage.status.in_(FINAL)))
    if any(f"outbox:{key}:{status}:{attempts}" not in sealed for key, status, attempts in final):
        return True
    events = session.scalars(select(DeliveryEvent.id).where(DeliveryEvent.cycle_id == cycle_id))
    return any(f"event:{event_id}" not in sealed for event_id in events)


def seal(session: Session, cycle: Cycle, *, now: dt.datetime) -> int:
    """Append to the cycle's ledger every message that reached a final state and every link event not yet
    in it (a message whose state changed again is appended again); return how many rows were added."""
    codes: dict[int, str] = {unit_id: code for unit_id, code in session.execute(select(Unit.id, Unit.code).where(Unit.cycle_id == cycle.id))}
    sealed = set(session.scalars(select(LedgerEntry.source).where(LedgerEntry.cycle_id == cycle.id)))
    last = session.execute(select(LedgerEntry.seq, LedgerEntry.hash).where(LedgerEntry.cycle_id == cycle.id)
                           .order_by(LedgerEntry.seq.desc()).limit(1)).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    pending: list[tuple[dt.datetime, int, str, dict[str, Any]]] = []
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id, OutboxMessage.status.in_(FINAL))
                               .order_by(OutboxMessage.id))
    for row in messages:
        source = f"outbox:{row.key}:{row.status}:{row.attempts}"
        if source not in sealed:
            pending.append((row.sent_at or row.send_after, row.id, source, message_entry(row, codes)))
    for event in session.scalars(select(DeliveryEvent).where(DeliveryEvent.cycle_id == cycle.id).order_by(DeliveryEvent.id)):
        source = f"event:{event.id}"
        if source not in sealed:
            pending.append((event.at, event.id, source, event_entry(event, codes)))
    pending.sort(key=lambda item: (item[0], item[1]))
    for _, _, source, data in pending:
        seq += 1
        entry = canonical(data)
        digest = chain_hash(prev, entry)
        session.add(LedgerEntry(cycle_id=cycle.id, seq=seq, source=source, entry=entry, prev_hash=prev, hash=digest, sealed_at=now))
        prev = digest
    session.flush()
    return len(pending)


@dataclass(frozen=True)
class LedgerRow:
    """One row of the record as exported: its position, the recorded facts and the chain."""

    seq: int
    entry: str
    prev_hash: str
    hash: str

    @property
    def data(self) -> dict[str, Any]:
        """The recorded facts."""
        return dict(json.loads(self.entry))


def ledger_rows(session: Session, cycle: Cycle, *, unit_code: str | None = None) -> list[LedgerRow]:
    """The cycle's ledger in order; with ``unit_code``, the rows about that unit (as recipient or subject)."""
    rows = [LedgerRow(e.seq, e.entry, e.prev_hash, e.hash) for e in session.scalars(
        select(LedgerEntry).where(LedgerEntry.cycle_id == cycle.id).order_by(LedgerEntry.seq))]
    if unit_code is None:
        return rows
    return [r for r in rows if unit_code in (r.data.get("unit"), r.data.get("about"))]


@dataclass
class Verification:
    """The outcome of checking a ledger: rows checked, the last hash, and every problem found."""

    rows: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether no problem was found."""
        return not self.problems


def verify_chain(rows: Sequence[LedgerRow], *, contiguous: bool = True) -> Verification:
    """Recompute every row's hash; with ``contiguous`` (a whole ledger) also check that each row links to
    the one before and that no number is missing."""
    result = Verification(rows=len(rows))
    prev, expected_seq = GENESIS, 1
    for row in rows:
        if contiguous:
            if row.seq != expected_seq:
                result.problems.append(f"第{expected_seq}行至第{row.seq - 1}行缺失（记录被删除）" if row.seq > expected_seq
                                       else f"第{row.seq}行序号重复或倒序")
            if row.prev_hash != prev:
                result.problems.append(f"第{row.seq}行与前一行的链接不符（前一行被修改或删除）")
        if chain_hash(row.prev_hash, row.entry) != row.hash:
            result.problems.append(f"第{row.seq}行内容与其哈希不符（该行被修改）")
        prev, expected_seq = row.hash, row.seq + 1
    result.head = prev
    return result


def verify_ledger(session: Session, cycle: Cycle) -> Verification:
    """Check the cycle's ledger chain, and that each sealed message still matches its outbox row."""
    rows = ledger_rows(session, cycle)
    result = verify_chain(rows)
    codes: dict[int, str] = {unit_id: code for unit_id, code in session.execute(select(Unit.id, Unit.code).where(Unit.cycle_id == cycle.id))}
    outbox = {r.key: r for r in session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id))}
    latest: dict[str, LedgerRow] = {}
    for row in rows:
        data = row.data
        if data.get("type") == "message":
            latest[data["key"]] = row
    for key, row in latest.items():
        current = outbox.get(key)
        if current is None:
            result.problems.append(f"第{row.seq}行记录的消息 {key} 已不在发件箱中（被删除）")
            continue
        if current.status not in FINAL:
            continue
        now_entry = message_entry(current, codes)
        if canonical(now_entry) != row.entry:
            changed = sorted(k for k, v in now_entry.items() if row.data.get(k) != v)
            result.problems.append(f"第{row.seq}行记录的消息 {key} 与发件箱不一致（{'、'.join(changed)}）")
    return result


def ledger_size(session: Session, cycle: Cycle) -> int:
    """How many rows the cycle's ledger has."""
    return int(session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.cycle_id == cycle.id)) or 0)
