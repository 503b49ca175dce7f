"""Never lost: a retryable failure is tried again later; a final one is recorded and shown to the office."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pytest
from dispatch_support import STAGE, T0, SessionFactory, dispatch, outgoing, rows
from sqlalchemy.orm import Session

from kaohe.dispatch import backoff
from kaohe.models import Cycle
from kaohe.store.outbox import enqueue
from kaohe.store.status import cycle_status
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

Fault = Callable[[LocalSmtpReceiver, LocalWebhookReceiver, int], None]
RETRY_BASE = dt.timedelta(minutes=5)


def webhook_status(status: int) -> Fault:
    return lambda smtp, hooks, count: hooks.fail_next(count, status=status)


def robot_errcode(code: int) -> Fault:
    return lambda smtp, hooks, count: hooks.fail_next(count, code=code)


def smtp_reply(code: int) -> Fault:
    return lambda smtp, hooks, count: smtp.fail_next(count, code=code)


def arrivals(channel: str, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver) -> int:
    return len(smtp.mails) if channel == "email" else hooks.counts()[channel]


@pytest.mark.parametrize(("channel", "fault"), [
    ("webhook", webhook_status(503)),
    ("webhook", webhook_status(429)),
    ("wecom", robot_errcode(-1)),
    ("wecom", robot_errcode(45009)),
    ("email", smtp_reply(451)),
], ids=["webhook-503", "webhook-429", "wecom-errcode-1-in-200", "wecom-errcode-45009-in-200", "email-451"])
def test_retryable_failure_goes_back_to_pending_and_is_sent_later(
    channel: str, fault: Fault, session: Session, sessions: SessionFactory, cycle: Cycle,
    smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver,
) -> None:
    message = outgoing(cycle, "U0000", channel)
    enqueue(session, [message], T0)
    fault(smtp, hooks, 2)
    first = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id, retry_base=RETRY_BASE)
    row = rows(session, cycle)[message.key]
    assert (first.retrying, row.status, row.attempts, row.send_after) == (1, "pending", 1, T0 + RETRY_BASE)
    assert row.last_error
    assert dispatch(sessions, smtp, hooks, T0 + RETRY_BASE - dt.timedelta(seconds=1), cycle_id=cycle.id).batches == 0
    second = dispatch(sessions, smtp, hooks, T0 + RETRY_BASE, cycle_id=cycle.id, retry_base=RETRY_BASE)
    row = rows(session, cycle)[message.key]
    assert (second.retrying, row.status, row.send_after) == (1, "pending", T0 + RETRY_BASE + backoff(2, RETRY_BASE))
    third = dispatch(sessions, smtp, hooks, row.send_after, cycle_id=cycle.id, retry_base=RETRY_BASE)
    row = rows(session, cycle)[message.key]
    assert (third.sent, row.status, row.attempts, row.last_error) == (1, "sent", 3, None)
    assert arrivals(channel, smtp, hooks) == (1 if channel == "email" else 3)


@pytest.mark.parametrize(("channel", "fault"), [
    ("webhook", webhook_status(400)),
    ("webhook", webhook_status(404)),
    ("wecom", robot_errcode(93000)),
    ("email", smtp_reply(550)),
], ids=["webhook-400", "webhook-404", "wecom-errcode-93000-in-200", "email-550"])
def test_final_failure_is_marked_failed_and_shown_in_the_status(
    channel: str, fault: Fault, session: Session, sessions: SessionFactory, cycle: Cycle,
    smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver,
) -> None:
    failing, fine = outgoing(cycle, "U0000", channel), outgoing(cycle, "U0001", "email")
    enqueue(session, [failing, fine], T0)
    fault(smtp, hooks, 1)
    report = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id, concurrency=1)
    stored = rows(session, cycle)
    assert (report.failed, report.sent) == (1, 1)
    assert (stored[failing.key].status, stored[failing.key].attempts) == ("failed", 1)
    assert stored[failing.key].last_error
    assert dispatch(sessions, smtp, hooks, T0 + dt.timedelta(days=1), cycle_id=cycle.id).batches == 0
    status = {s.stage: s.failed_deliveries for s in cycle_status(session, cycle.id, T0)}
    assert status[STAGE] == 1
    assert set(status.values()) - {0, 1} == set()


def test_retries_give_up_after_max_attempts(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    message = outgoing(cycle, "U0000", "webhook")
    enqueue(session, [message], T0)
    hooks.fail_next(10, status=502)
    now = T0
    for _ in range(3):
        dispatch(sessions, smtp, hooks, now, cycle_id=cycle.id, max_attempts=3, retry_base=RETRY_BASE)
        now = rows(session, cycle)[message.key].send_after
    row = rows(session, cycle)[message.key]
    assert (row.status, row.attempts, hooks.count) == ("failed", 3, 3)
    assert "502" in (row.last_error or "")
    assert {s.stage: s.failed_deliveries for s in cycle_status(session, cycle.id, now)}[STAGE] == 1


@pytest.mark.parametrize("address", ["@mile.example.cn", "财政局", "a@b@c"])
def test_a_malformed_address_fails_alone_and_the_wave_goes_on(
    address: str, session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    good = [outgoing(cycle, code, "email") for code in ("U0000", "U0002", "U0003")]
    bad = replace(outgoing(cycle, "U0001", "email"), recipient=address)
    enqueue(session, [good[0], bad, *good[1:]], T0)
    report = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id)
    stored = rows(session, cycle)
    assert (report.sent, report.failed) == (3, 1)
    assert {k: r.status for k, r in stored.items()} == {**{m.key: "sent" for m in good}, bad.key: "failed"}
    assert len(smtp.mails) == 3
    assert {s.stage: s.failed_deliveries for s in cycle_status(session, cycle.id, T0)}[STAGE] == 1
