"""Supervision orders (督办单): issued, reminded and escalated like a stage, closed with evidence, scored with feedback."""

from __future__ import annotations

import hashlib

import pytest
from evidence_support import bj, context_at
from sqlalchemy import select

from kaohe.db import session_scope
from kaohe.engine.advance import decide
from kaohe.errors import InputError, StateError
from kaohe.evidence.orders import parse_scores
from kaohe.models import CycleStage, Obligation, OutboxMessage, SupervisionOrder, Unit
from kaohe.services import local_operator, orders
from kaohe.services.uploads import Upload
from kaohe.store.advance import (
    apply_decisions,
    escalation_targets,
    obligation_states,
    stage_states,
)
from kaohe.store.cycles import get_cycle
from kaohe.store.orders import issue_order, score_order
from kaohe.store.status import cycle_status
from kaohe.workdays import load_calendar

ORDOS = """编码,名称,类别,角色,上级,邮箱,回调
DS,东胜区委区政府,旗区,被考核单位,OFFICE,ds@example.org,
ZG,准格尔旗委旗政府,旗区,被考核单位,OFFICE,zg@example.org,https://hooks.example.org/zg
OFFICE,市扶贫开发领导小组办公室,机关,协调办公室,,office@example.org,
"""
CALENDAR = load_calendar()


def close_with_evidence(url, home, key, number, *, evidence, by, now):  # type: ignore[no-untyped-def]
    """``kaohe order close`` through the service, as the local operator ``by`` at ``now``."""
    command = orders.CloseOrder(local_operator(by), key, number, Upload.read(evidence, "佐证材料"))
    return orders.close(context_at(url, home, now), command).to_json()


def _issue(url: str, key: str, unit: str = "DS", due: tuple[int, int, int] = (2019, 3, 15)) -> tuple[int, int]:
    import datetime as dt

    with session_scope(url) as session:
        order, queued = issue_order(session, get_cycle(session, key), unit, "贫困户危房改造进度滞后，限期整改", dt.date(*due),
                                    by="OFFICE", now=bj(2019, 3, 4), calendar=CALENDAR)
        return order.number, queued


def _outbox(url: str, key: str) -> list[tuple[str, str, str, str, str]]:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        rows = session.execute(select(Unit.code, OutboxMessage.kind, OutboxMessage.wave, OutboxMessage.channel, OutboxMessage.status)
                               .join(Unit, Unit.id == OutboxMessage.unit_id).where(OutboxMessage.cycle_id == cycle.id)
                               .order_by(OutboxMessage.send_after, Unit.code)).tuples()
        return list(rows)


def _advance(url: str, key: str, instant) -> None:  # type: ignore[no-untyped-def]
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        decisions = decide(stage_states(cycle), obligation_states(session, cycle), escalation_targets(cycle), CALENDAR,
                           since=cycle.advanced_to, now=instant, office_hours=cycle.office_hours)
        apply_decisions(session, cycle, decisions, now=instant, actor="test")


def test_an_order_is_told_at_once_and_reminded_and_escalated_on_the_unit_plan(database_url, make_cycle) -> None:
    key = make_cycle("ordos", 2018, ORDOS)
    number, queued = _issue(database_url, key)
    assert number == 1 and queued == 6
    assert [(u, k, w) for u, k, w, _, _ in _outbox(database_url, key)] == [
        ("DS", "supervision_order", "supervision_order@1"),
        ("DS", "upcoming", "upcoming@2019-03-12"),
        ("DS", "upcoming", "upcoming@2019-03-14"),
        ("DS", "due_today", "due_today@2019-03-15"),
        ("DS", "overdue", "overdue@2019-03-18"),
        ("OFFICE", "escalation", "escalation@2019-03-19"),
    ]
    with session_scope(database_url) as session:
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "supervision_order", OutboxMessage.wave == "supervision_order@1",
                                                              OutboxMessage.stage_key == "order_1", OutboxMessage.key.like(f"{key}:%"))).one()
        assert message.subject == "【督办单】督办〔2018〕1号：东胜区委区政府“贫困户危房改造进度滞后，限期整改”"
        assert "贫困户危房改造进度滞后，限期整改" in message.body and "2019年3月15日（星期五）24时前" in message.body


def test_an_order_marks_the_cycle_for_a_schedule_sync_and_its_reminders_become_instants(database_url, make_cycle,
                                                                                          home) -> None:
    """The order's deadline and reminders are new to the cycle's scheduled Prefect runs: the safety net re-syncs them,
    and the instants the sync schedules include every reminder the order queued."""
    from kaohe.services import queries
    from kaohe.store.schedule_sync import clear_schedule_stale, stale_schedules

    key = make_cycle("ordos", 2018, ORDOS)
    with session_scope(database_url) as session:
        for stale_key, since in stale_schedules(session):
            clear_schedule_stale(session, stale_key, since)
    _issue(database_url, key, due=(2019, 3, 15))
    with session_scope(database_url) as session:
        assert [k for k, _ in stale_schedules(session)] == [key]
        cycle = get_cycle(session, key)
        reminders = set(session.scalars(select(OutboxMessage.send_after).where(
            OutboxMessage.cycle_id == cycle.id, OutboxMessage.wave.in_(["upcoming@2019-03-12", "due_today@2019-03-15",
                                                                        "overdue@2019-03-18", "escalation@2019-03-19"]))))
        order_due = session.scalar(select(SupervisionOrder.due_at).where(SupervisionOrder.cycle_id == cycle.id))
    instants = queries.cycle_instants(context_at(database_url, home, bj(2019, 3, 4)), key)
    assert {bj(2019, 3, 12, 9), bj(2019, 3, 15, 9), bj(2019, 3, 18, 9), bj(2019, 3, 19, 9)} == reminders
    assert reminders <= set(instants)
    assert order_due is not None and any(i > order_due for i in instants)


def test_the_engine_marks_an_unclosed_order_overdue_and_status_shows_it(database_url, make_cycle) -> None:
    key = make_cycle("ordos", 2018, ORDOS)
    _issue(database_url, key)
    _advance(database_url, key, bj(2019, 3, 16, 9))
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        order_stage = next(s for s in cycle_status(session, cycle.id, bj(2019, 3, 16, 9)) if s.stage == "order_1")
        assert (order_stage.status, order_stage.obliged, order_stage.overdue) == ("closed", 1, 1)
        assert session.scalars(select(Obligation.status).join(CycleStage).where(CycleStage.key == "order_1",
                                                                                CycleStage.cycle_id == cycle.id)).one() == "overdue"


def test_closing_with_evidence_completes_it_and_cancels_what_is_pending(database_url, make_cycle, home, write) -> None:
    key = make_cycle("ordos", 2018, ORDOS)
    number, _ = _issue(database_url, key)
    evidence = write("整改报告.pdf", "整改完成，附照片".encode())
    result = close_with_evidence(database_url, home, key, number, evidence=evidence, by="OFFICE", now=bj(2019, 3, 13, 15))
    assert (result["status"], result["lateness"]) == ("closed", "按时")
    assert hashlib.sha256((home / result["evidence"]["path"]).read_bytes()).hexdigest() == result["evidence"]["sha256"]
    statuses = {(u, k): s for u, k, _, _, s in _outbox(database_url, key)}
    assert statuses == {("DS", "supervision_order"): "pending", ("DS", "upcoming"): "cancelled", ("DS", "due_today"): "cancelled",
                        ("DS", "overdue"): "cancelled", ("OFFICE", "escalation"): "cancelled"}
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        order = session.scalars(select(SupervisionOrder).where(SupervisionOrder.cycle_id == cycle.id)).one()
        assert (order.status, order.closed_by, order.evidence_file_name) == ("closed", "OFFICE", "整改报告.pdf")
    with pytest.raises(StateError, match="已办结"):
        close_with_evidence(database_url, home, key, number, evidence=evidence, by="OFFICE", now=bj(2019, 3, 14))


def test_a_score_is_fed_back_to_the_unit_at_once(database_url, make_cycle) -> None:
    key = make_cycle("ordos", 2018, ORDOS)
    number, _ = _issue(database_url, key, unit="ZG")
    with session_scope(database_url) as session:
        order, queued = score_order(session, get_cycle(session, key), number, parse_scores(["整改落实=18", "群众满意=9.5"]),
                                    note="整改基本到位", by="核查组", now=bj(2019, 3, 20, 16))
        assert queued == 2 and order.scores[-1]["total"] == "27.5"
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        feedback = session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id, OutboxMessage.kind == "order_feedback")
                                   .order_by(OutboxMessage.channel)).all()
    assert [(m.channel, m.recipient) for m in feedback] == [("email", "zg@example.org"), ("webhook", "https://hooks.example.org/zg")]
    assert feedback[0].subject == "【即时反馈】督办单督办〔2018〕1号核查评分：27.5分"
    assert "1. 整改落实：18分" in feedback[0].body and "意见：整改基本到位" in feedback[0].body
    assert feedback[0].send_after == bj(2019, 3, 20, 16)


def test_orders_are_numbered_per_cycle_and_a_past_deadline_is_refused(database_url, make_cycle) -> None:
    key = make_cycle("ordos", 2018, ORDOS)
    assert [_issue(database_url, key)[0], _issue(database_url, key, "ZG")[0]] == [1, 2]
    with pytest.raises(InputError, match="已过"):
        _issue(database_url, key, due=(2019, 3, 1))
