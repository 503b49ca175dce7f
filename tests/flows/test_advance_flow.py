"""The advance-cycle flow, run for real under the Prefect test harness, against real receivers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter

from sqlalchemy import select

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.engine.advance import wave_instants
from kaohe.flows.advance_cycle import advance_cycle
from kaohe.models import CycleStage, Obligation, OutboxMessage, Unit
from kaohe.planning import end_of_day
from kaohe.store.advance import obligation_states, stage_states
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import complete, extend
from kaohe.store.proof import record_link_event
from kaohe.workdays import load_calendar

CAL = load_calendar()


def _bj(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=BEIJING)


def _advance(key: str, instant: dt.datetime) -> dict:  # type: ignore[type-arg]
    return asyncio.run(advance_cycle(key, as_of=instant))


def _messages(url: str, key: str) -> list[tuple[str, str, str, str, dt.datetime | None, str]]:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        rows = session.execute(
            select(Unit.code, OutboxMessage.stage_key, OutboxMessage.kind, OutboxMessage.channel, OutboxMessage.sent_at, OutboxMessage.status)
            .join(Unit, Unit.id == OutboxMessage.unit_id).where(OutboxMessage.cycle_id == cycle.id)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def _instants(url: str, key: str) -> list[dt.datetime]:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        return wave_instants(stage_states(cycle), obligation_states(session, cycle), CAL, "09:00")


def test_self_check_reminders_arrive_on_time_to_owing_units_only(make_cycle, flow_env, receivers) -> None:  # type: ignore[no-untyped-def]
    smtp, hooks = receivers
    key = make_cycle()
    instants = [i for i in _instants(flow_env, key) if i <= _bj(2019, 1, 29)]
    completed_at = _bj(2019, 1, 18, 15)  # A1 hands in its self-report on Friday 18 Jan
    for instant in instants:
        if instant >= completed_at:
            with session_scope(flow_env) as session:
                cycle = get_cycle(session, key)
                if session.scalar(select(Obligation.status).join(CycleStage).join(Unit).where(
                        CycleStage.cycle_id == cycle.id, CycleStage.key == "self_check", Unit.code == "A1")) != "done":
                    complete(session, cycle, "A1", "self_check", at=completed_at, actor="unit:A1")
        _advance(key, instant)
    self_check = [m for m in _messages(flow_env, key) if m[1] == "self_check" and m[3] == "email"]
    for code, _, kind, _, sent_at, status in self_check:
        assert status == "sent"
        assert sent_at is not None and CAL.is_working_day(sent_at.astimezone(BEIJING).date())
        assert sent_at.astimezone(BEIJING).strftime("%H:%M") == "09:00"
    by_unit = {code: sorted((m[4].astimezone(BEIJING).date().isoformat(), m[2]) for m in self_check if m[0] == code)
               for code in ("A1", "A2", "A3", "C1")}
    assert by_unit["A1"] == [("2018-12-03", "stage_opened"), ("2019-01-16", "upcoming")]  # nothing after completing
    assert by_unit["A2"] == [("2018-12-03", "stage_opened"), ("2019-01-16", "upcoming"), ("2019-01-21", "upcoming"),
                             ("2019-01-23", "due_today"), ("2019-01-24", "overdue")]
    assert by_unit["A3"] == by_unit["A2"]
    assert by_unit["C1"] == [("2019-01-28", "escalation"), ("2019-01-28", "escalation")]  # A2 and A3 escalated to C1
    message_ids = [mail.message["Message-ID"] for mail in smtp.mails]
    assert len(message_ids) == len(set(message_ids))  # no mail arrived twice
    with session_scope(flow_env) as session:
        carriers = set(session.scalars(select(OutboxMessage.sent_as).where(
            OutboxMessage.cycle_id == get_cycle(session, key).id, OutboxMessage.channel == "email", OutboxMessage.status == "sent")))
    assert len(smtp.mails) == len(carriers)  # one mail per message sent, a digest carrying several rows
    with session_scope(flow_env) as session:
        escalations = session.execute(select(OutboxMessage.sent_at, OutboxMessage.sent_as).join(Unit, Unit.id == OutboxMessage.unit_id).where(
            OutboxMessage.cycle_id == get_cycle(session, key).id, OutboxMessage.kind == "escalation", Unit.code == "C1")).all()
    per_day: dict[dt.date, set[str]] = {}
    for sent_at, sent_as in escalations:
        per_day.setdefault(sent_at.astimezone(BEIJING).date(), set()).add(sent_as)
    assert per_day and all(len(carried) == 1 for carried in per_day.values())  # one escalation mail a day to C1
    to_c1 = [str(m.message["Subject"]) for m in smtp.mails if m.rcpt_tos == ("c1@example.org",)]
    assert "【逾期督办汇总】2项考核材料逾期未报送，请督促" in to_c1  # A2 and A3 (self_check, 28 January) in one mail
    assert any(r.path.endswith("/a2") for r in hooks.requests)


def test_advancing_twice_to_the_same_instant_does_nothing_the_second_time(make_cycle, flow_env, receivers) -> None:  # type: ignore[no-untyped-def]
    smtp, _ = receivers
    key = make_cycle()
    first = _advance(key, _bj(2018, 12, 3))
    mails = len(smtp.mails)
    second = _advance(key, _bj(2018, 12, 3))
    assert first["queued"] > 0 and second["queued"] == 0
    assert len(smtp.mails) == mails


def test_an_advance_with_nothing_to_send_or_seal_runs_no_dispatch_but_a_new_receipt_is_sealed(make_cycle, flow_env, receivers) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle()
    first = _advance(key, _bj(2018, 12, 3))
    assert first["dispatch"]["sent"] > 0 and "skipped" not in first["dispatch"]
    again = _advance(key, _bj(2018, 12, 3))  # everything was sent and sealed by the first run
    assert again["dispatch_due"] is False and again["dispatch"]["skipped"] == "nothing due" and again["dispatch"]["sealed"] == 0
    with session_scope(flow_env) as session:
        cycle = get_cycle(session, key)
        record_link_event(session, cycle, "A1", "acknowledged", at=_bj(2018, 12, 3, 10), actor="unit:A1", stage="self_check")
    receipt = _advance(key, _bj(2018, 12, 3))  # nothing due, but the receipt is not in the delivery record yet
    assert receipt["dispatch_due"] is True and "skipped" not in receipt["dispatch"] and receipt["dispatch"]["sealed"] == 1


def test_catching_up_after_downtime_sends_one_overdue_notice_not_every_missed_reminder(make_cycle, flow_env, receivers) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle()
    _advance(key, _bj(2018, 12, 3))  # stage opened, then the server is down until 28 Jan
    _advance(key, _bj(2019, 1, 28, 10))
    after = [m for m in _messages(flow_env, key) if m[1] == "self_check" and m[3] == "email" and m[2] != "stage_opened"]
    kinds = Counter((m[0], m[2]) for m in after)
    assert kinds == {("A1", "overdue"): 1, ("A2", "overdue"): 1, ("A3", "overdue"): 1, ("C1", "escalation"): 3}


def test_a_deadline_extension_replans_reminders_and_tells_the_unit(make_cycle, flow_env, receivers) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle()
    _advance(key, _bj(2019, 1, 16))
    now = _bj(2019, 1, 17, 11)
    with session_scope(flow_env) as session:
        extend(session, get_cycle(session, key), "self_check", end_of_day(dt.date(2019, 2, 1)), unit_codes=["A3"],
               reason="单位负责人变动，经联席办同意延期", actor="coordinator", now=now)
    _advance(key, now)
    for instant in (_bj(2019, 1, 21), _bj(2019, 1, 23), _bj(2019, 1, 24), _bj(2019, 1, 29), _bj(2019, 1, 30), _bj(2019, 2, 1)):
        _advance(key, instant)
    a3 = sorted((m[4].astimezone(BEIJING).date().isoformat(), m[2]) for m in _messages(flow_env, key)
                if m[0] == "A3" and m[1] == "self_check" and m[3] == "email" and m[5] == "sent")
    assert ("2019-01-17", "deadline_changed") in a3
    assert ("2019-01-23", "due_today") not in a3 and ("2019-01-24", "overdue") not in a3
    assert ("2019-01-30", "upcoming") in a3 and ("2019-02-01", "due_today") in a3  # planned from 1 Feb
    a2 = {(m[4].astimezone(BEIJING).date().isoformat(), m[2]) for m in _messages(flow_env, key) if m[0] == "A2" and m[1] == "self_check" and m[4]}
    assert ("2019-01-24", "overdue") in a2  # the others keep the old date
