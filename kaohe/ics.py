"""An iCalendar feed of a cycle's deadlines that calendar clients keep right.

- each event's alarms fire at the stage's working-day reminder instants (the same plan the reminders
  follow: N working days before, the due day, at office hours), as absolute triggers, never on a Sunday;
- ``SEQUENCE`` counts the recorded deadline changes that moved the event and ``LAST-MODIFIED`` is the
  latest of them, so a client that imported the event replaces the old date;
- ``DESCRIPTION`` says what to hand in (the stage's ``submit:`` list) and where (the task link).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.models import AuditEntry, Cycle, CycleStage, Obligation
from kaohe.store.cycles import get_unit
from kaohe.workdays import WorkdayCalendar

ALARM_KINDS = ("stage_opened", "upcoming", "due_today")
LinkSigner = Callable[[Mapping[str, Any]], str]


def cycle_calendar(session: Session, cycle: Cycle, *, unit_code: str | None = None, stamp: dt.datetime | None = None,
                   workdays: WorkdayCalendar | None = None, link: LinkSigner | None = None) -> bytes:
    """The cycle's deadlines as an .ics file; with ``unit_code``, that unit's own (possibly extended) ones.

    ``workdays`` places the alarms (default: the configured working-day calendar); ``link`` signs the
    task link put in each description (the web portal passes its signer; without one there is none).
    """
    calendar = _calendar(f"考核日程 {cycle.key}" + (f" · {unit_code}" if unit_code else ""))
    _add_cycle(calendar, session, cycle, unit_code=unit_code, stamp=stamp, workdays=workdays, link=link)
    return bytes(calendar.to_ical())


def unit_calendar(session: Session, unit_code: str, *, stamp: dt.datetime, workdays: WorkdayCalendar | None = None,
                  link: LinkSigner | None = None) -> bytes:
    """One unit's own deadlines in every cycle it is in, as one .ics file (the unit's calendar subscription)."""
    from kaohe.models import Unit

    calendar = _calendar(f"考核日程 · {unit_code}")
    cycles = session.scalars(select(Cycle).join(Unit, Unit.cycle_id == Cycle.id).where(Unit.code == unit_code)
                             .order_by(Cycle.year, Cycle.key))
    for cycle in cycles:
        _add_cycle(calendar, session, cycle, unit_code=unit_code, stamp=stamp, workdays=workdays, link=link)
    return bytes(calendar.to_ical())


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//kaohe//考核日程//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    return calendar


def _add_cycle(calendar: Calendar, session: Session, cycle: Cycle, *, unit_code: str | None, stamp: dt.datetime | None,
               workdays: WorkdayCalendar | None, link: LinkSigner | None) -> None:
    from kaohe.store.advance import scheme_of, stage_states

    if workdays is None:
        from kaohe.db import calendar_of

        workdays = calendar_of(session)
    stamp = stamp or cycle.created_at
    if unit_code:
        unit = get_unit(session, cycle, unit_code)
        items = [tuple(row) for row in session.execute(
            select(CycleStage, Obligation.due_at).join(Obligation, Obligation.stage_id == CycleStage.id)
            .where(Obligation.unit_id == unit.id).order_by(CycleStage.position)
        )]
    else:
        items = [(stage, stage.due_at) for stage in cycle.stages]
    plans = {s.key: s.reminders for s in stage_states(cycle)}
    submit = {s.id: list(s.submit) for s in scheme_of(cycle).stages}
    changes = _changes(session, cycle)
    for stage, due in items:
        moved = [at for at, units in changes.get(stage.key, []) if units is None or (unit_code is not None and unit_code in units)]
        event = _event(cycle, stage, due, unit_code, stamp, sequence=len(moved), modified=max(moved, default=cycle.created_at),
                       deliverables=submit.get(stage.key) or [], link=link)
        for at in _alarm_instants(stage, due, plans.get(stage.key), workdays, cycle.office_hours):
            event.add_component(_alarm(stage.name, due, at))
        calendar.add_component(event)


def _changes(session: Session, cycle: Cycle) -> dict[str, list[tuple[dt.datetime, set[str] | None]]]:
    """Stage key → every recorded deadline change: when, and the units it moved (None: the whole stage).

    An extension (``deadline.changed``) names its stage and units; a change that flowed down from a parent
    cycle or a new holiday table (``dates.cascaded``) moves whole stages."""
    result: dict[str, list[tuple[dt.datetime, set[str] | None]]] = {}
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle.id,
                                                          AuditEntry.action.in_(("deadline.changed", "dates.cascaded")))
                                 .order_by(AuditEntry.at, AuditEntry.id)):
        if entry.action == "dates.cascaded":
            for stage_key in entry.detail.get("stages") or {}:
                result.setdefault(stage_key, []).append((entry.at, None))
            continue
        units = entry.detail.get("units")
        result.setdefault(entry.subject, []).append((entry.at, None if units == "all" or units is None else set(units)))
    return result


def _alarm_instants(stage: CycleStage, due: dt.datetime, plan: Any, workdays: WorkdayCalendar, office_hours: str) -> list[dt.datetime]:
    """The reminder plan's instants up to the deadline (opening, N working days before, the due day)."""
    from kaohe.planning import plan_reminders

    if plan is None:
        return []
    opens_day = stage.opens_at.astimezone(BEIJING).date() if stage.opens_at else None
    waves = plan_reminders(stage.key, opens_day, due.astimezone(BEIJING).date(), plan, workdays, plan.at or office_hours)
    return [w.at.astimezone(dt.timezone.utc) for w in waves if w.kind in ALARM_KINDS and w.at <= due]


def _alarm(stage_name: str, due: dt.datetime, at: dt.datetime) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    local_due = due.astimezone(BEIJING)
    alarm.add("description", f"{stage_name}：{local_due:%m月%d日}截止，请按时报送")
    alarm.add("trigger", at)
    return alarm


def _event(cycle: Cycle, stage: CycleStage, due: dt.datetime, unit_code: str | None, stamp: dt.datetime, *, sequence: int,
           modified: dt.datetime, deliverables: list[str], link: LinkSigner | None) -> Event:
    local_due = due.astimezone(BEIJING)
    last_day = (local_due - dt.timedelta(seconds=1)).date() if local_due.timetz().replace(tzinfo=None) == dt.time(0) else local_due.date()
    event = Event()
    event.add("uid", f"{cycle.key}.{stage.key}{'.' + unit_code if unit_code else ''}@kaohe")
    event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
    event.add("last-modified", modified.astimezone(dt.timezone.utc))
    event.add("sequence", sequence)
    event.add("dtstart", last_day)
    event.add("dtend", last_day + dt.timedelta(days=1))
    event.add("summary", f"【截止】{stage.name}（{cycle.key}）")
    lines = [f"截止时间：{local_due:%Y年%m月%d日 %H:%M}（北京时间）", f"依据：{stage.clause}"]
    if deliverables:
        lines.append("报送材料：" + "；".join(f"{n}. {item}" for n, item in enumerate(deliverables, 1)))
    if link is not None and unit_code is not None:
        url = link({"cycle": cycle.key, "unit": unit_code, "stage": stage.key, "expires": (due + dt.timedelta(days=30)).isoformat()})
        lines.append(f"办理入口：{url}")
        event.add("url", url)
    if stage.reason:
        lines.append(f"日期说明：{stage.reason}")
    if stage.provisional:
        lines.append("注意：节假日安排尚未发布，此日期为暂定。")
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    return event
