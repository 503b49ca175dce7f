"""An iCalendar feed of a cycle's deadlines, with alarms at the reminder offsets."""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.models import Cycle, CycleStage, Obligation
from kaohe.store.cycles import get_unit

ALARM_DAYS_BEFORE = (5, 1)


def cycle_calendar(session: Session, cycle: Cycle, *, unit_code: str | None = None,
                   stamp: dt.datetime | None = None) -> bytes:
    """The cycle's deadlines as an .ics file; with ``unit_code``, that unit's own (possibly extended) ones."""
    calendar = Calendar()
    calendar.add("prodid", "-//kaohe//考核日程//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"考核日程 {cycle.key}" + (f" · {unit_code}" if unit_code else ""))
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    stamp = stamp or cycle.created_at
    if unit_code:
        unit = get_unit(session, cycle, unit_code)
        items = [tuple(row) for row in session.execute(
            select(CycleStage, Obligation.due_at).join(Obligation, Obligation.stage_id == CycleStage.id)
            .where(Obligation.unit_id == unit.id).order_by(CycleStage.position)
        )]
    else:
        items = [(stage, stage.due_at) for stage in cycle.stages]
    for stage, due in items:
        calendar.add_component(_event(cycle, stage, due, unit_code, stamp))
    return bytes(calendar.to_ical())


def _event(cycle: Cycle, stage: CycleStage, due: dt.datetime, unit_code: str | None, stamp: dt.datetime) -> Event:
    local_due = due.astimezone(BEIJING)
    event = Event()
    event.add("uid", f"{cycle.key}.{stage.key}{'.' + unit_code if unit_code else ''}@kaohe")
    event.add("dtstamp", stamp.astimezone(dt.timezone.utc))
    event.add("dtstart", local_due.date())
    event.add("dtend", local_due.date() + dt.timedelta(days=1))
    event.add("summary", f"【截止】{stage.name}（{cycle.key}）")
    lines = [f"截止时间：{local_due:%Y年%m月%d日 %H:%M}（北京时间）", f"依据：{stage.clause}"]
    if stage.reason:
        lines.append(f"日期说明：{stage.reason}")
    if stage.provisional:
        lines.append("注意：节假日安排尚未发布，此日期为暂定。")
    event.add("description", "\n".join(lines))
    event.add("transp", "TRANSPARENT")
    for days in ALARM_DAYS_BEFORE:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{stage.name} 将于{days}天后截止")
        alarm.add("trigger", dt.timedelta(days=-days, hours=9))
        event.add_component(alarm)
    return event
