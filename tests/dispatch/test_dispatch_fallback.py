"""Fallback: a message that fails for good on a unit's channel goes over the next channel its roster row
names (here e-mail, then SMS to its mobile), and the record shows both."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import httpx
from dispatch_support import CREATED, SessionFactory, advance, local_channels, rows
from sqlalchemy.orm import Session

from kaohe.dispatch import Dispatcher
from kaohe.models import Cycle
from kaohe.notifications.sms import SmsChannel
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import create_cycle
from kaohe.store.fallback import enqueue_fallbacks
from kaohe.store.proof import ledger_rows, seal
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver
from kaohe.testing.sms_receiver import LocalSmsReceiver
from kaohe.workdays import load_calendar

WAVE = dt.datetime(2019, 1, 16, 1, 0, tzinfo=dt.timezone.utc)
TEMPLATES = {k: f"SMS_{n}" for n, k in enumerate(("stage_opened", "upcoming", "due_today", "overdue", "escalation",
                                                  "digest_reminder", "digest_escalation"), 1)}


def _cycle(session: Session) -> Cycle:
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    units = [
        RosterEntry(code="A1", name="弥勒市某局", role=Role.ASSESSED, supervisor="OFFICE",
                    contacts={"email": "a1@example.cn", "phone": "13800000001"}, attributes={"渠道顺序": "邮件、短信"}),
        RosterEntry(code="OFFICE", name="联席办", role=Role.COORDINATOR, contacts={"email": "office@example.cn"}),
    ]
    cycle = create_cycle(session, key=f"mile-2018-{uuid.uuid4().hex[:8]}", scheme=scheme,
                         plan=plan_cycle(scheme, 2018, load_calendar()), roster=units, actor="test", now=CREATED)
    session.flush()
    return cycle


def _dispatch(sessions: SessionFactory, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver, sms: LocalSmsReceiver,
              cycle: Cycle) -> None:
    async def go() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            channels = {**local_channels(smtp, hooks, http),
                        "sms": SmsChannel(http, provider="aliyun", key_id=sms.key_id, secret=sms.secret, sign_name="弥勒考核",
                                          templates=TEMPLATES, base_url=sms.url)}
            await Dispatcher(sessions, channels).run(WAVE, cycle_id=cycle.id)

    asyncio.run(go())


def test_a_permanent_e_mail_failure_falls_back_to_sms_and_the_record_shows_both(
    session: Session, sessions: SessionFactory, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    cycle = _cycle(session)
    advance(session, cycle, WAVE)
    queued = {r.channel for r in rows(session, cycle).values() if r.unit_id is not None}
    assert queued == {"email"}  # the row names e-mail first: SMS only if e-mail fails
    with LocalSmsReceiver(provider="aliyun") as sms:
        smtp.fail_next(10, code=550, text="5.1.1 mailbox unavailable")
        _dispatch(sessions, smtp, hooks, sms, cycle)
        assert enqueue_fallbacks(session, cycle_id=cycle.id, now=WAVE) >= 1
        assert enqueue_fallbacks(session, cycle_id=cycle.id, now=WAVE) == 0  # once per failed message
        _dispatch(sessions, smtp, hooks, sms, cycle)
    stored = rows(session, cycle)
    failed = [r for r in stored.values() if r.channel == "email" and r.status == "failed"]
    assert failed and all(r.answer.startswith("550") for r in failed)
    by_origin = {r.fallback_of: r for r in stored.values() if r.fallback_of}
    assert set(by_origin) == {r.key for r in failed}
    assert {r.channel for r in by_origin.values()} == {"sms"} and {r.status for r in by_origin.values()} == {"sent"}
    assert [m.phone for m in sms.messages] == ["13800000001"]  # both waves' items in one SMS digest
    seal(session, cycle, now=WAVE)
    record = [r.data for r in ledger_rows(session, cycle, unit_code="A1")]
    assert {(d["channel"], d["status"]) for d in record} >= {("email", "failed"), ("sms", "sent")}
    assert all(d["fallback_of"] in {r.key for r in failed} for d in record if d["channel"] == "sms")
