"""A dispatcher still working when the next scheduled run starts: the new run must not take over its messages.

The safety net runs every 30 minutes; a large wave (or a slow mail server) can outlast that. The claim
lease protects a live dispatcher's messages for as long as it holds them, measured on the clock, not on
the scheduled instants of the two runs.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import Counter

from dispatch_support import (
    T0,
    dispatch,
    keys_received,
    mail_keys,
    make_cycle,
    outgoing,
)
from sqlalchemy import select

from kaohe.db import session_scope
from kaohe.dispatch import DispatchReport
from kaohe.models import OutboxMessage
from kaohe.store.outbox import enqueue
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

UNITS = 30


def test_a_later_run_does_not_take_over_a_live_dispatchers_messages(
    database_url: str, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    with session_scope(database_url) as session:
        cycle = make_cycle(session, hooks.url, units=UNITS, key=f"mile-2018-{uuid.uuid4().hex[:8]}")
        enqueue(session, [outgoing(cycle, f"U{n:04d}", channel) for n in range(UNITS) for channel in ("webhook", "email")], T0)
        cycle_id = cycle.id
    hooks.set_delay(0.05)
    reports: list[DispatchReport] = []
    first = threading.Thread(target=lambda: reports.append(dispatch(
        lambda: session_scope(database_url), smtp, hooks, T0, cycle_id=cycle_id, batch_size=UNITS, concurrency=4, worker="first")))
    first.start()
    deadline = time.monotonic() + 10
    while hooks.count < 4 and time.monotonic() < deadline:
        time.sleep(0.002)
    later = dispatch(lambda: session_scope(database_url), smtp, hooks, T0 + dt.timedelta(minutes=30), cycle_id=cycle_id,
                     worker="safety-net")
    first.join(timeout=30)
    with session_scope(database_url) as session:
        stored = list(session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle_id)))
    emails = [r for r in stored if r.channel == "email"]
    assert later.recovered == {"released": 0, "resent": 0, "uncertain": 0}
    assert Counter(mail_keys(smtp, emails)) == Counter({r.key: 1 for r in emails})
    assert sorted(Counter(keys_received(hooks)).values()) == [1] * UNITS
    assert {r.status for r in stored} == {"sent"}
