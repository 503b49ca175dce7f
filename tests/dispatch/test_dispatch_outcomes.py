"""A chunk's outcomes are written in one statement: every row gets its own status, error, id and retry time."""

from __future__ import annotations

import datetime as dt
import itertools

from dispatch_support import T0, outgoing, rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from kaohe.models import Cycle
from kaohe.store.outbox import Outcome, enqueue, mark_sending, record_outcomes

UNITS = 4
CHANNELS = ("webhook", "email", "wecom")
kinds = st.sampled_from(("sent", "pending", "failed"))
WAVES = itertools.count()


def _outcome(row_id: int, kind: str, n: int) -> Outcome:
    if kind == "sent":
        return Outcome(row_id, "sent", T0, remote_id=f"remote-{n}")
    if kind == "pending":
        return Outcome(row_id, "pending", T0, error=f"暂时失败 {n}", retry_at=T0 + dt.timedelta(minutes=5 * (n + 1)))
    return Outcome(row_id, "failed", T0, error=f"最终失败 {n}")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.lists(kinds, min_size=UNITS * len(CHANNELS), max_size=UNITS * len(CHANNELS)))
def test_each_row_of_a_chunk_records_its_own_outcome(chosen: list[str], session: Session, cycle: Cycle) -> None:
    wave = next(WAVES)  # a fresh wave per example: the fixtures' cycle is shared by every example
    messages = [outgoing(cycle, f"U{n:04d}", channel, wave=f"upcoming@{wave}") for n in range(UNITS) for channel in CHANNELS]
    enqueue(session, messages, T0)
    before = rows(session, cycle)
    ids = [before[m.key].id for m in messages]
    mark_sending(session.connection(), ids)
    record_outcomes(session.connection(), [_outcome(row_id, kind, n) for n, (row_id, kind) in enumerate(zip(ids, chosen, strict=True))])
    after = rows(session, cycle)
    for n, (message, kind) in enumerate(zip(messages, chosen, strict=True)):
        row = after[message.key]
        assert (row.status, row.attempts) == (kind, 1)
        if kind == "sent":
            assert (row.sent_at, row.remote_id, row.last_error, row.send_after) == (T0, f"remote-{n}", None, T0)
        elif kind == "pending":
            assert (row.sent_at, row.last_error, row.send_after) == (None, f"暂时失败 {n}", T0 + dt.timedelta(minutes=5 * (n + 1)))
        else:
            assert (row.sent_at, row.last_error, row.send_after) == (None, f"最终失败 {n}", T0)
    untouched = {k: r.status for k, r in after.items() if k not in {m.key for m in messages}}
    assert set(untouched.values()) <= {"pending", "sent", "failed", "cancelled"}
