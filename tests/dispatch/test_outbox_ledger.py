"""The dispatcher's ledger holds one connection for a run and commits each step at once."""

from __future__ import annotations

import uuid

from dispatch_support import T0, make_cycle, outgoing
from sqlalchemy import select

from kaohe.db import session_scope
from kaohe.models import OutboxMessage
from kaohe.store.outbox import Outcome, enqueue
from kaohe.store.outbox_ledger import OutboxLedger


def _statuses(url: str, cycle_id: int) -> dict[str, str]:
    with session_scope(url) as other:
        found = other.execute(select(OutboxMessage.key, OutboxMessage.status).where(OutboxMessage.cycle_id == cycle_id))
        return {key: status for key, status in found}


def test_each_step_is_committed_before_the_run_ends(database_url: str) -> None:
    with session_scope(database_url) as session:
        cycle = make_cycle(session, "http://127.0.0.1:9", key=f"ledger-{uuid.uuid4().hex[:8]}")
        messages = [outgoing(cycle, f"U{n:04d}", "webhook") for n in range(3)]
        enqueue(session, messages, T0)
        cycle_id = cycle.id
    ledger = OutboxLedger.open(lambda: session_scope(database_url))
    try:
        claimed = ledger.claim(cycle_id=cycle_id, now=T0, limit=2, worker="test", at=T0)
        assert [row.key for row in claimed] == [m.key for m in messages[:2]]
        assert _statuses(database_url, cycle_id) == {messages[0].key: "claimed", messages[1].key: "claimed", messages[2].key: "pending"}
        ledger.write([], [claimed[0].id, claimed[1].id])
        assert set(_statuses(database_url, cycle_id).values()) == {"sending", "pending"}
        ledger.write([Outcome(claimed[0].id, "sent", T0, remote_id="r0"), Outcome(claimed[1].id, "failed", T0, error="拒收")], [])
        assert _statuses(database_url, cycle_id) == {messages[0].key: "sent", messages[1].key: "failed", messages[2].key: "pending"}
    finally:
        ledger.close()


def test_messages_of_idempotent_channels_are_sending_from_their_claim(database_url: str) -> None:
    with session_scope(database_url) as session:
        cycle = make_cycle(session, "http://127.0.0.1:9", key=f"ledger-{uuid.uuid4().hex[:8]}")
        messages = [outgoing(cycle, "U0000", channel) for channel in ("webhook", "email", "wecom")]
        enqueue(session, messages, T0)
        cycle_id = cycle.id
    ledger = OutboxLedger.open(lambda: session_scope(database_url))
    try:
        ledger.claim(cycle_id=cycle_id, now=T0, limit=10, worker="test", at=T0, sending_channels=frozenset({"webhook"}))
    finally:
        ledger.close()
    assert _statuses(database_url, cycle_id) == {messages[0].key: "sending", messages[1].key: "claimed", messages[2].key: "claimed"}
