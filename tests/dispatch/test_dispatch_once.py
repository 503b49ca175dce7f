"""Never twice: enqueueing and dispatching again are no-ops; only due messages go; completion stops reminders."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import Counter

from dispatch_support import (
    STAGE,
    T0,
    SessionFactory,
    advance,
    dispatch,
    keys_received,
    mail_keys,
    make_cycle,
    outgoing,
    rows,
)
from sqlalchemy.orm import Session

from kaohe.db import session_scope
from kaohe.dispatch import DispatchReport
from kaohe.models import Cycle
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import complete
from kaohe.store.outbox import enqueue
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

CODES = ("U0000", "U0001", "U0002", "U0003")


def test_enqueue_twice_keeps_one_row_per_key(session: Session, cycle: Cycle) -> None:
    messages = [outgoing(cycle, code, channel) for code in CODES for channel in ("email", "webhook")]
    first = enqueue(session, messages, T0)
    again = enqueue(session, messages, T0 + dt.timedelta(hours=1))
    overlapping = enqueue(session, [*messages[:3], outgoing(cycle, "U0000", "wecom")], T0)
    assert (first, again, overlapping) == (8, 0, 1)
    stored = rows(session, cycle)
    assert sorted(stored) == sorted([m.key for m in messages] + [outgoing(cycle, "U0000", "wecom").key])
    assert {r.created_at for r in stored.values()} == {T0}


def test_dispatching_twice_at_the_same_instant_delivers_each_message_once(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    enqueue(session, [outgoing(cycle, code, channel) for code in CODES for channel in ("email", "webhook")], T0)
    enqueue(session, [outgoing(cycle, code, channel) for code in CODES for channel in ("email", "webhook")], T0)
    first = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id)
    second = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id)
    stored = rows(session, cycle)
    assert (first.sent, second.sent, second.batches) == (8, 0, 0)
    assert Counter(keys_received(hooks)) == Counter({k: 1 for k, r in stored.items() if r.channel == "webhook"})
    assert Counter(mail_keys(smtp, list(stored.values()))) == Counter({k: 1 for k, r in stored.items() if r.channel == "email"})
    assert {(r.status, r.attempts, r.sent_at) for r in stored.values()} == {("sent", 1, T0)}
    assert all(r.remote_id for r in stored.values())


def test_messages_not_yet_due_wait_for_their_instant(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    later = T0 + dt.timedelta(days=2)
    enqueue(session, [outgoing(cycle, "U0000", "webhook"), outgoing(cycle, "U0001", "email"),
                      outgoing(cycle, "U0002", "webhook", send_after=later, wave="upcoming@2019-01-20"),
                      outgoing(cycle, "U0003", "email", send_after=later, wave="upcoming@2019-01-20")], T0)
    early = dispatch(sessions, smtp, hooks, later - dt.timedelta(seconds=1), cycle_id=cycle.id)
    assert early.sent == 2
    assert [k.split(":")[2] for k in keys_received(hooks)] == ["U0000"]
    assert [m.message["To"].addresses[0].addr_spec for m in smtp.mails] == ["u0001@example.cn"]
    assert {r.status for r in rows(session, cycle).values() if r.send_after == later} == {"pending"}
    on_time = dispatch(sessions, smtp, hooks, later, cycle_id=cycle.id)
    assert on_time.sent == 2
    assert [k.split(":")[2] for k in keys_received(hooks)] == ["U0000", "U0002"]
    assert {r.status for r in rows(session, cycle).values()} == {"sent"}


def _self_check_recipients(hooks: LocalWebhookReceiver, wave: str) -> list[str]:
    return sorted(k.split(":")[2] for k in keys_received(hooks) if f":{STAGE}:" in k and f":{wave}:" in k)


def test_a_unit_that_completed_gets_no_further_reminders(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    first_wave = dt.datetime(2019, 1, 16, 1, 0, tzinfo=dt.timezone.utc)
    second_wave = dt.datetime(2019, 1, 21, 1, 0, tzinfo=dt.timezone.utc)
    advance(session, cycle, first_wave)
    dispatch(sessions, smtp, hooks, first_wave, cycle_id=cycle.id)
    assert _self_check_recipients(hooks, "upcoming@2019-01-16") == list(CODES)
    complete(session, get_cycle(session, cycle.key), "U0000", STAGE, at=first_wave + dt.timedelta(days=1), actor="unit:U0000")
    session.commit()
    advance(session, cycle, second_wave)
    dispatch(sessions, smtp, hooks, second_wave, cycle_id=cycle.id)
    assert _self_check_recipients(hooks, "upcoming@2019-01-21") == ["U0001", "U0002", "U0003"]
    about_self_check = [m for m in smtp.mails if "u0000@" in str(m.message["To"])
                        and "自查自评" in m.message.get_body(("plain",)).get_content()]
    assert len(about_self_check) == 1
    assert {r.wave for k, r in rows(session, cycle).items() if k.startswith(f"{cycle.key}:{STAGE}:U0000:")} == {"upcoming@2019-01-16"}


def test_completing_cancels_reminders_still_waiting_for_a_retry(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    enqueue(session, [outgoing(cycle, code, "webhook") for code in ("U0000", "U0001")], T0)
    hooks.fail_next(2, status=503)
    report = dispatch(sessions, smtp, hooks, T0, cycle_id=cycle.id)
    assert report.retrying == 2
    complete(session, get_cycle(session, cycle.key), "U0000", STAGE, at=T0 + dt.timedelta(minutes=1), actor="unit:U0000")
    session.commit()
    later = dispatch(sessions, smtp, hooks, T0 + dt.timedelta(hours=1), cycle_id=cycle.id)
    assert later.sent == 1
    assert {k.split(":")[2]: r.status for k, r in rows(session, cycle).items()} == {"U0000": "cancelled", "U0001": "sent"}
    assert sorted(k.split(":")[2] for k in keys_received(hooks)) == ["U0000", "U0001", "U0001"]


def test_two_dispatchers_at_once_send_each_message_once(
    database_url: str, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    units = 120
    with session_scope(database_url) as session:
        cycle = make_cycle(session, hooks.url, units=units, key=f"mile-2018-{uuid.uuid4().hex[:8]}")
        enqueue(session, [outgoing(cycle, f"U{n:04d}", "webhook") for n in range(units)], T0)
        cycle_id = cycle.id
    reports: list[DispatchReport] = []
    together = threading.Barrier(2)
    hooks.set_delay(0.01)

    def run(worker: str) -> None:
        together.wait(timeout=10)
        reports.append(dispatch(lambda: session_scope(database_url), smtp, hooks, T0, cycle_id=cycle_id,
                                batch_size=8, concurrency=4, worker=worker))

    threads = [threading.Thread(target=run, args=(f"worker-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(Counter(keys_received(hooks)).values()) == [1] * units
    assert sum(r.sent for r in reports) == units and all(r.sent > 0 for r in reports)


def test_completing_cancels_pending_escalations_about_the_unit(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    escalation_wave = dt.datetime(2019, 1, 28, 1, 0, tzinfo=dt.timezone.utc)
    advance(session, cycle, escalation_wave)
    complete(session, get_cycle(session, cycle.key), "U0000", STAGE, at=escalation_wave, actor="unit:U0000")
    session.commit()
    dispatch(sessions, smtp, hooks, escalation_wave, cycle_id=cycle.id)
    about = {k.split(":")[2]: r.status for k, r in rows(session, cycle).items() if f":{STAGE}:" in k and ":escalation:" in k}
    assert about == {"U0000": "cancelled", "U0001": "sent", "U0002": "sent", "U0003": "sent"}
