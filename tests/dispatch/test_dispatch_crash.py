"""The crash test: a dispatcher killed with SIGKILL mid-wave; a new one, once the claim lease has run
out on the clock, finishes the wave.

Webhook messages (idempotency key) all arrive, and the receiver processes each key once: a resend is
answered as a replay, and the id kaohe recorded is the one the receiver gave the key the first time. No e-mail (no idempotency key) arrives twice; an e-mail that may have gone
out before the kill is marked ``uncertain`` and shown, never silently dropped or resent.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
from dispatch_support import (
    T0,
    dispatch,
    keys_received,
    mail_keys,
    make_cycle,
    outgoing,
)
from sqlalchemy import select

from kaohe.db import get_engine, session_scope, upgrade
from kaohe.models import OutboxMessage, utcnow
from kaohe.store.cycles import get_cycle
from kaohe.store.outbox import CLAIM_LEASE, enqueue
from kaohe.store.status import cycle_status
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

UNITS = 150
SCRIPT = Path(__file__).with_name("crash_dispatcher.py")
KEY = "mile-2018-crash"


def _prepare(url: str, hooks_url: str) -> int:
    upgrade(url)
    with session_scope(url) as session:
        cycle = make_cycle(session, hooks_url, units=UNITS, key=KEY)
        enqueue(session, [outgoing(cycle, f"U{n:04d}", channel) for n in range(UNITS) for channel in ("webhook", "email")], T0)
        return cycle.id


def _wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def _ids_the_receiver_keeps(hooks: LocalWebhookReceiver, rows: dict[str, OutboxMessage]) -> dict[str, str]:
    """Ask the receiver once more under each key: it answers a known key as a replay, with the id it gave first."""
    ids = {}
    with httpx.Client(trust_env=False, timeout=5) as http:
        for key, row in rows.items():
            response = http.post(row.recipient, json={"key": key}, headers={"Idempotency-Key": key})
            assert response.headers.get("Idempotent-Replayed") == "true"
            ids[key] = response.json()["id"]
    return ids


def _start_dispatcher(url: str, smtp: LocalSmtpReceiver) -> subprocess.Popen[bytes]:
    config = {"url": url, "smtp_host": smtp.host, "smtp_port": smtp.port, "now": T0.isoformat(), "batch_size": 40, "concurrency": 8}
    return subprocess.Popen([sys.executable, str(SCRIPT), json.dumps(config)], env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_a_killed_dispatcher_loses_nothing_and_sends_no_email_twice(
    tmp_path: Path, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    cycle_id = _prepare(url, hooks.url)
    hooks.set_delay(0.05)
    process = _start_dispatcher(url, smtp)
    try:
        started = _wait_until(lambda: hooks.count >= UNITS // 3 or process.poll() is not None, 30)
        process.send_signal(signal.SIGKILL)
    finally:
        _, stderr = process.communicate(timeout=10)
    assert started and process.returncode == -signal.SIGKILL, stderr.decode()
    assert 0 < hooks.count < UNITS and len(smtp.mails) < UNITS

    hooks.set_delay(0)
    past_lease = CLAIM_LEASE + dt.timedelta(seconds=1)
    report = dispatch(lambda: session_scope(url), smtp, hooks, T0 + past_lease, cycle_id=cycle_id,
                      clock=lambda: utcnow() + past_lease)
    with session_scope(url) as session:
        stored = list(session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle_id)))
        failed_shown = sum(s.failed_deliveries for s in cycle_status(session, get_cycle(session, KEY).id, T0))
    get_engine(url).dispose()
    webhooks = {r.key: r for r in stored if r.channel == "webhook"}
    emails = {r.key: r for r in stored if r.channel == "email"}
    assert report.recovered["resent"] > 0
    assert len(stored) == 2 * UNITS
    assert {r.status for r in stored} <= {"sent", "uncertain"}

    arrived = keys_received(hooks)
    assert set(arrived) == set(webhooks)
    assert any(n > 1 for n in Counter(arrived).values())
    assert {r.status for r in webhooks.values()} == {"sent"}
    assert {k: r.remote_id for k, r in webhooks.items()} == _ids_the_receiver_keeps(hooks, webhooks)

    mailed = Counter(mail_keys(smtp, list(emails.values())))
    assert max(mailed.values()) == 1
    assert {k for k, r in emails.items() if r.status == "sent"} <= set(mailed)
    assert {r.status for k, r in emails.items() if k not in mailed} <= {"uncertain"}
    assert {r.status for r in emails.values()} <= {"sent", "uncertain"}
    assert failed_shown == sum(1 for r in emails.values() if r.status == "uncertain")
