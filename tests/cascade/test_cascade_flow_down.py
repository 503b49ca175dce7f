"""Changes flow down: the province extends self-report by three working days; every dependent city and county
deadline moves to the right working day; each affected unit is told exactly once; the cities' coordinators
acknowledge (and are reminded until they do); the calendar feeds show the new dates. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from cascade_support import build_tree, due, messages
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.cascade.apply import acknowledge, pending_changes, propagate, remind_unacknowledged
from kaohe.cascade.levels import tree_view
from kaohe.clock import BEIJING
from kaohe.ics import cycle_calendar
from kaohe.models import AuditEntry, DateChange, OutboxMessage
from kaohe.planning import end_of_day
from kaohe.store.obligations import extend
from kaohe.workdays import load_calendar

CAL = load_calendar()
BEFORE = dt.datetime(2020, 1, 10, 10, 0, tzinfo=BEIJING)  # Friday, office hours, before every deadline
CASCADE_KINDS = ("dates_changed", "change_ack", "change_ack_reminder")


def test_the_province_extends_self_report_and_every_level_below_follows(session: Session) -> None:
    tree = build_tree(session, 2019, CAL, BEFORE)
    suining, neijiang = tree.cities["SC-C08"], tree.cities["SC-C09"]
    assert due(tree.province, "self_check") == dt.date(2020, 1, 20)
    # 3 working days before Monday the 20th, the 19th being a working Sunday (调休): Thursday the 16th
    assert due(suining, "county_self_check") == dt.date(2020, 1, 16)
    evaluation_before = due(suining, "comprehensive_evaluation")

    new_due = CAL.add_working_days(dt.date(2020, 1, 20), 3)
    assert new_due == dt.date(2020, 1, 23)
    extend(session, tree.province, "self_check", end_of_day(new_due), unit_codes=None, reason="省里统一延长自查报送时限三个工作日",
           actor="admin", now=BEFORE)
    session.flush()

    for city in (suining, neijiang):
        session.refresh(city)
        # the county deadline: 3 working days before Thursday the 23rd -> Monday the 20th
        assert due(city, "county_self_check") == dt.date(2020, 1, 20)
        assert due(city, "self_check") == dt.date(2020, 1, 23)  # the city's own report follows the province's
        assert due(city, "comprehensive_evaluation") == evaluation_before  # does not depend on self-report
    told = messages(session, CASCADE_KINDS)
    assert told == sorted(
        [(f"{city}-2019", f"{prefix}-X0{n}", "dates_changed") for city, prefix in (("suining", "SN"), ("neijiang", "NJ")) for n in (1, 2, 3)]
        + [("neijiang-2019", "NJ-OFFICE", "change_ack"), ("suining-2019", "SN-OFFICE", "change_ack")])
    body = session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "dates_changed", OutboxMessage.recipient == "sn-x01@example.org"))
    assert body is not None and "2020年1月16日" in body and "2020年1月20日" in body and "sichuan-2019" in body
    ack = session.scalar(select(OutboxMessage.body).where(OutboxMessage.kind == "change_ack", OutboxMessage.recipient == "sn-office@example.com"))
    assert ack is not None and "2020年1月23日" in ack and "（你单位应办）" in ack and "SN-X01" in ack

    # the same change propagated again moves nothing and tells nobody again
    again = propagate(session, tree.province, cause="extension", reason="重复执行", actor="admin", now=BEFORE, calendar=CAL,
                      include_origin=False)
    assert again.moved == {} and again.queued == 0
    assert messages(session, CASCADE_KINDS) == told
    assert len(session.scalars(select(DateChange)).all()) == 2

    # the feeds of the counties show the new date
    feed = Calendar.from_ical(cycle_calendar(session, suining, unit_code="SN-X01"))
    starts = {str(e["summary"]): e.decoded("dtstart") for e in feed.walk("VEVENT")}
    assert starts["【截止】县自查（suining-2019）"] == dt.date(2020, 1, 20)

    # acknowledgements: recorded, and the city that has not acknowledged is reminded once per working day
    monday = dt.datetime(2020, 1, 13, 9, 30, tzinfo=BEIJING)
    acknowledge(session, suining, by="SN-OFFICE", now=monday, note="已收悉，已转告各县")
    assert pending_changes(session, suining) == []
    change = session.scalar(select(DateChange).where(DateChange.cycle_id == suining.id))
    assert change is not None and change.acknowledged_by == "SN-OFFICE" and change.stages["self_check"]["name"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "dates.acknowledged")) is not None
    assert remind_unacknowledged(session, suining, monday, CAL) == 0
    assert remind_unacknowledged(session, neijiang, monday, CAL) == 1
    assert remind_unacknowledged(session, neijiang, monday + dt.timedelta(hours=2), CAL) == 0  # once a day
    assert remind_unacknowledged(session, neijiang, dt.datetime(2020, 1, 14, 8, 0, tzinfo=BEIJING), CAL) == 0  # before office hours
    assert remind_unacknowledged(session, neijiang, dt.datetime(2020, 1, 14, 9, 0, tzinfo=BEIJING), CAL) == 1
    assert remind_unacknowledged(session, neijiang, dt.datetime(2020, 1, 18, 10, 0, tzinfo=BEIJING), CAL) == 0  # Saturday
    acknowledge(session, neijiang, by="NJ-OFFICE", now=dt.datetime(2020, 1, 15, 9, 0, tzinfo=BEIJING))
    assert remind_unacknowledged(session, neijiang, dt.datetime(2020, 1, 16, 9, 0, tzinfo=BEIJING), CAL) == 0

    view = tree_view(session, neijiang)
    assert [(c["cycle"], c["level"]) for c in view["cycles"]] == [("sichuan-2019", 0), ("neijiang-2019", 1), ("suining-2019", 1)]
    county = next(s for s in view["cycles"][1]["stages"] if s["stage"] == "county_self_check")
    assert (county["due"], county["follows"], county["parent_due"]) == ("2020-01-20", "self_check", "2020-01-23")


def test_a_unit_extended_beyond_the_new_date_keeps_its_own_deadline(session: Session) -> None:
    tree = build_tree(session, 2019, CAL, BEFORE)
    suining = tree.cities["SC-C08"]
    extend(session, suining, "county_self_check", end_of_day(dt.date(2020, 1, 31)), unit_codes=["SN-X02"], reason="个别延期",
           actor="SN-OFFICE", now=BEFORE)
    extend(session, tree.province, "self_check", end_of_day(dt.date(2020, 1, 23)), unit_codes=None, reason="延期", actor="admin", now=BEFORE)
    session.flush()
    told = {code for _, code, kind in messages(session, ("dates_changed",)) if _ == "suining-2019"}
    assert told == {"SN-X01", "SN-X03"}  # SN-X02's own deadline (31 Jan) is later than the new one: not moved, not told
