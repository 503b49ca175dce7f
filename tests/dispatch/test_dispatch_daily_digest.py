"""Per-recipient digests: a supervisor gets one escalation a day per channel listing every overdue unit,
and the e-mail says what to do (link, what to hand in, the office), with From, Reply-To and an HTML part."""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.utils
import uuid
from collections import Counter

from dispatch_support import SessionFactory, advance, dispatch, make_cycle, rows
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.models import Cycle
from kaohe.store.outbox import Outgoing, enqueue
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

ESCALATION = dt.datetime(2019, 1, 28, 1, 0, tzinfo=dt.timezone.utc)  # 3 working days after 23 January, 09:00
OFFICE_NAME = "弥勒市“挂包帮”“转走访”工作联席会议办公室"


def _sign(ref: dict[str, str]) -> str:
    return f"http://127.0.0.1:8000/t/{ref['cycle']}/{ref['unit']}/{ref['stage']}?sig=test"


def _office_mails(smtp: LocalSmtpReceiver) -> list:  # type: ignore[type-arg]
    return [m for m in smtp.mails if "office@example.cn" in str(m.message["To"])]


def _catch_up(session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver,
              **options: object) -> None:
    """Advance to the day before the escalation and send everything, so only the escalation is left."""
    before = ESCALATION - dt.timedelta(days=1)
    advance(session, cycle, before)
    dispatch(sessions, smtp, hooks, before, cycle_id=cycle.id, **options)
    smtp.mails.clear()


def test_a_supervisor_gets_one_escalation_listing_every_overdue_unit(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    _catch_up(session, sessions, cycle, smtp, hooks, links=_sign)
    advance(session, cycle, ESCALATION)
    report = dispatch(sessions, smtp, hooks, ESCALATION, cycle_id=cycle.id, links=_sign)
    escalations = [r for r in rows(session, cycle).values() if r.kind == "escalation" and r.channel == "email"]
    assert len(escalations) == 4 and {r.status for r in escalations} == {"sent"}
    [mail] = _office_mails(smtp)
    message = mail.message
    assert message["Subject"] == "【逾期督办汇总】4项考核材料逾期未报送，请督促"
    assert len({r.sent_as for r in escalations}) == 1 and escalations[0].sent_as.startswith("digest:")
    assert {r.answer.split()[0] for r in escalations} == {"250"}
    text = message.get_body(("plain",)).get_content()
    for n in range(4):
        assert f"弥勒市测试单位{n:04d}" in text
        assert f"http://127.0.0.1:8000/t/{cycle.key}/U{n:04d}/self_check?sig=test" in text
    assert text.count("自查报告") == 4 and text.count("自评表（签字盖章）") == 4
    assert text.count("（本提醒由考核工作系统") == 1
    assert report.sent >= 4


def test_the_escalation_says_who_sends_it_and_has_an_html_part(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    _catch_up(session, sessions, cycle, smtp, hooks, links=_sign)
    advance(session, cycle, ESCALATION)
    dispatch(sessions, smtp, hooks, ESCALATION, cycle_id=cycle.id, links=_sign)
    [mail] = _office_mails(smtp)
    message = mail.message
    raw_from = email.message_from_bytes(mail.raw)["From"]  # RFC 2047 decoding (the default policy's address
    name, address = email.utils.parseaddr(raw_from)        # parser puts a space between encoded words)
    assert (str(email.header.make_header(email.header.decode_header(name))), address) == (OFFICE_NAME, "kaohe@example.cn")
    assert message["Reply-To"].addresses[0].addr_spec == "office@example.cn"
    assert message.get_content_type() == "multipart/alternative"
    html = message.get_body(("html",)).get_content()
    assert f'<a href="http://127.0.0.1:8000/t/{cycle.key}/U0000/self_check?sig=test">' in html
    assert "&ldquo;" not in html and "弥勒市测试单位0000" in html


def test_an_escalation_enqueued_later_the_same_day_waits_for_the_next_working_morning(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    from kaohe.engine.state import Delivery
    from kaohe.store.advance import render_deliveries

    _catch_up(session, sessions, cycle, smtp, hooks)
    advance(session, cycle, ESCALATION)
    dispatch(sessions, smtp, hooks, ESCALATION, cycle_id=cycle.id)
    afternoon = ESCALATION + dt.timedelta(hours=5)
    late = Delivery("submission", "U0001", "OFFICE", "escalation", "escalation@2019-01-28#late", afternoon, ESCALATION)
    messages: list[Outgoing] = render_deliveries(cycle, [late])
    assert enqueue(session, messages, afternoon) == 1
    [row] = [r for r in rows(session, cycle).values() if r.wave.endswith("#late")]
    assert row.send_after.astimezone(BEIJING) == dt.datetime(2019, 1, 29, 9, 0, tzinfo=BEIJING)
    dispatch(sessions, smtp, hooks, afternoon, cycle_id=cycle.id)
    assert len(_office_mails(smtp)) == 1


def test_with_digests_off_every_overdue_unit_is_escalated_alone(
    session: Session, sessions: SessionFactory, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    cycle = make_cycle(session, hooks.url, key=f"mile-2018-{uuid.uuid4().hex[:8]}")
    _catch_up(session, sessions, cycle, smtp, hooks, digests=False)
    advance(session, cycle, ESCALATION)
    dispatch(sessions, smtp, hooks, ESCALATION, cycle_id=cycle.id, digests=False)
    subjects = Counter(str(m.message["Subject"]) for m in _office_mails(smtp))
    assert sum(subjects.values()) == 4 and all(s.startswith("【逾期督办】") for s in subjects)
