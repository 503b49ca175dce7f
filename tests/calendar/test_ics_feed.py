"""The calendar feed as a second iCalendar library (vobject) reads it: alarms at the working-day reminder
instants as absolute triggers, SEQUENCE and LAST-MODIFIED bumped by every deadline change, and a
description that says what to hand in and where."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import vobject
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.ics import cycle_calendar
from kaohe.models import Cycle
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import create_cycle
from kaohe.store.obligations import extend
from kaohe.workdays import load_calendar

CAL = load_calendar()
CREATED = dt.datetime(2018, 11, 30, tzinfo=dt.timezone.utc)


def _cycle(session: Session) -> Cycle:
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    roster = [RosterEntry(code="U1", name="弥勒市测试单位", role=Role.ASSESSED, supervisor="OFFICE", contacts={"email": "u1@example.cn"}),
              RosterEntry(code="OFFICE", name="联席办", role=Role.COORDINATOR, contacts={"email": "office@example.cn"})]
    cycle = create_cycle(session, key=f"mile-2018-{uuid.uuid4().hex[:8]}", scheme=scheme, plan=plan_cycle(scheme, 2018, CAL),
                         roster=roster, actor="test", now=CREATED)
    session.flush()
    return cycle


def _sign(ref: dict[str, Any]) -> str:
    return f"http://127.0.0.1:8000/t/{ref['unit']}-{ref['stage']}"


def _event(session: Session, cycle: Cycle, stage: str) -> Any:
    data = cycle_calendar(session, cycle, unit_code="U1", workdays=CAL, link=_sign, stamp=CREATED).decode()
    parsed = vobject.readOne(data)
    return next(e for e in parsed.vevent_list if e.uid.value == f"{cycle.key}.{stage}.U1@kaohe")


def test_alarms_fire_at_the_working_day_reminder_instants(session: Session) -> None:
    cycle = _cycle(session)
    event = _event(session, cycle, "self_check")
    triggers = sorted(alarm.trigger.value for alarm in event.valarm_list)
    assert all(isinstance(t, dt.datetime) and t.tzinfo is not None for t in triggers)  # absolute, not offsets
    local = [t.astimezone(BEIJING) for t in triggers]
    assert all(CAL.is_working_day(t.date()) and (t.hour, t.minute) == (9, 0) for t in local)
    assert local[-1].date() == dt.date(2019, 1, 23)  # the due day itself
    assert dt.date(2019, 1, 16) in {t.date() for t in local}  # 5 working days before 23 January
    assert event.dtstart.value == dt.date(2019, 1, 23) and event.dtend.value == dt.date(2019, 1, 24)


def test_the_description_says_what_to_hand_in_and_where(session: Session) -> None:
    event = _event(session, _cycle(session), "self_check")
    text = event.description.value
    assert "报送材料：1. 自查报告；2. 自评表（签字盖章）" in text
    assert "办理入口：http://127.0.0.1:8000/t/U1-self_check" in text and event.url.value == "http://127.0.0.1:8000/t/U1-self_check"


def test_each_deadline_change_bumps_sequence_and_last_modified(session: Session) -> None:
    cycle = _cycle(session)
    before = _event(session, cycle, "self_check")
    assert int(before.sequence.value) == 0
    first = dt.datetime(2019, 1, 20, 10, tzinfo=BEIJING)
    extend(session, cycle, "self_check", dt.datetime(2019, 1, 30, 23, 59, 59, tzinfo=BEIJING), unit_codes=["U1"],
           reason="经联席办同意延期", actor="coordinator", now=first)
    after = _event(session, cycle, "self_check")
    assert int(after.sequence.value) == 1 and after.last_modified.value == first
    assert after.dtstart.value == dt.date(2019, 1, 30)
    assert max(a.trigger.value for a in after.valarm_list).astimezone(BEIJING) == dt.datetime(2019, 1, 30, 9, 0, tzinfo=BEIJING)
    second = dt.datetime(2019, 1, 29, 10, tzinfo=BEIJING)
    extend(session, cycle, "self_check", dt.datetime(2019, 2, 1, 23, 59, 59, tzinfo=BEIJING), unit_codes=None,
           reason="全市统一延期", actor="coordinator", now=second)
    again = _event(session, cycle, "self_check")
    assert int(again.sequence.value) == 2 and again.last_modified.value == second
    untouched = _event(session, cycle, "submission")
    assert int(untouched.sequence.value) == 0
