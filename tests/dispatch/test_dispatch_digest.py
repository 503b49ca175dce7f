"""Group robots: many messages for one WeCom robot in a batch arrive as digests, every row marked sent."""

from __future__ import annotations

import uuid
from collections import Counter

from dispatch_support import (
    T0,
    WECOM_KEY,
    SessionFactory,
    dispatch,
    make_cycle,
    outgoing,
    rows,
)
from sqlalchemy.orm import Session

from kaohe.store.outbox import enqueue
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

UNITS = 40


def test_messages_to_one_robot_arrive_as_digests(
    session: Session, sessions: SessionFactory, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    cycle = make_cycle(session, hooks.url, units=UNITS, key=f"mile-2018-{uuid.uuid4().hex[:8]}")
    codes = [f"U{n:04d}" for n in range(UNITS)]
    enqueue(session, [outgoing(cycle, code, "wecom") for code in codes], T0)
    report = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id)
    requests = [r for r in hooks.requests if r.flavor == "wecom"]
    contents = [r.json["markdown"]["content"] for r in requests]
    assert 1 <= len(requests) < UNITS
    assert {r.query["key"] for r in requests} == {WECOM_KEY}
    assert all(len(c.encode()) <= 4096 for c in contents)
    assert all(c.startswith("**考核提醒汇总（") for c in contents)
    assert Counter(code for content in contents for code in codes if f"（{code}）" in content) == Counter(codes)
    assert (report.sent, report.digests) == (UNITS, len(requests))
    assert {r.status for r in rows(session, cycle).values()} == {"sent"}
