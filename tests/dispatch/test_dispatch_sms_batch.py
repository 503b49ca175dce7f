"""The dispatcher sends a wave of SMS in batch calls where the provider takes many numbers (Aliyun
SendBatchSms, 100 a call), to the local fake over real HTTP; every outbox row gets its own outcome, and a
bad number fails alone."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
from dispatch_support import T0, SessionFactory, make_cycle, rows
from sqlalchemy.orm import Session

from kaohe.dispatch import Dispatcher
from kaohe.notifications.sms import SmsChannel
from kaohe.store.outbox import Outgoing, enqueue
from kaohe.testing.receivers import LocalWebhookReceiver
from kaohe.testing.sms_receiver import LocalSmsReceiver

TEMPLATES = {"upcoming": "SMS_2", "digest_reminder": "SMS_6"}


def test_an_sms_wave_goes_out_in_batch_calls_and_each_row_is_recorded(session: Session, sessions: SessionFactory,
                                                                    hooks: LocalWebhookReceiver) -> None:
    cycle = make_cycle(session, hooks.url, units=1, key="mile-2018-sms-batch")
    unit = cycle.units[0]
    wave = [Outgoing(key=f"{cycle.key}:self_check:P{n:04d}:upcoming:w:sms", cycle_id=cycle.id, stage_key="self_check", unit_id=unit.id,
                     kind="upcoming", wave="w", channel="sms", recipient=f"138{n:08d}", subject="s", body="b", send_after=T0,
                     extras={"sms": {"unit": f"某局{n}", "stage": "自查自评", "due": "1月23日"}})
            for n in range(230)]
    enqueue(session, wave, T0 - dt.timedelta(hours=1))
    session.commit()

    async def go(sms: LocalSmsReceiver) -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
            channel = SmsChannel(http, provider="aliyun", key_id=sms.key_id, secret=sms.secret, sign_name="弥勒考核",
                                 templates=TEMPLATES, base_url=sms.url)
            report = await Dispatcher(sessions, {"sms": channel}, concurrency=4, digests=False).run(T0, cycle_id=cycle.id)
            assert (report.sent, report.failed) == (229, 1)

    with LocalSmsReceiver(provider="aliyun") as sms:
        sms.invalid_numbers.add("13800000117")
        asyncio.run(go(sms))
    stored = rows(session, cycle)
    assert sms.calls <= 3 + 2 * 7  # three batch calls (100 + 100 + 30); the refused one halved down to the bad number
    assert sorted(m.phone for m in sms.messages) == sorted(o.recipient for o in wave if o.recipient != "13800000117")
    bad = stored[wave[117].key]
    assert bad.status == "failed" and "MOBILE_NUMBER_ILLEGAL" in (bad.last_error or "")
    sent = [stored[o.key] for o in wave if o.recipient != "13800000117"]
    assert {r.status for r in sent} == {"sent"} and all(r.remote_id and r.sent_as == r.key for r in sent)
    assert all(r.attempts == 1 for r in stored.values())
