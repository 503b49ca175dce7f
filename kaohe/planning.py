"""The dated timeline of one cycle: stage windows after the holiday policy, and the reminder waves.

Pure: a scheme, a year, a working-day calendar and a few choices in; a ``Plan`` out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pendulum

from kaohe import dateexpr
from kaohe.schemeshape import (
    POLICY_NAMES,
    DateSpecLike,
    HolidayPolicy,
    ReminderPlanLike,
    SchemeLike,
    StageLike,
    validity_warning,
)
from kaohe.workdays import WorkdayCalendar

TIMEZONE = "Asia/Shanghai"
ReminderKind = Literal["stage_opened", "upcoming", "due_today", "overdue", "escalation"]


@dataclass(frozen=True)
class StageDates:
    """A parent cycle's final dates of one stage, as a child's ``parent.X.…`` expressions see them."""

    opens: dt.date | None
    due: dt.date


ParentDates = Mapping[str, StageDates]
"""Parent stage id (and each stage kind the parent has once) → its final dates (see kaohe.cascade.tree)."""


@dataclass(frozen=True)
class ResolvedDate:
    """A date computed from a DateSpec: the date itself and whether any default went into it."""

    day: dt.date
    from_default: bool


@dataclass(frozen=True)
class PlannedStage:
    """One stage with its final dates and why they are what they are."""

    id: str
    name: str
    kind: str
    actor: str | None
    clause: str
    submit: tuple[str, ...]
    opens: pendulum.DateTime | None
    due: pendulum.DateTime
    source_due: dt.date | None
    adjusted: bool
    reason: str | None
    date_origin: Literal["source", "default"]
    holiday_policy: HolidayPolicy
    provisional: bool
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The stage as the JSON of ``kaohe plan``."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "actor": self.actor,
            "opens": self.opens.isoformat() if self.opens else None,
            "due": self.due.isoformat(),
            "source_due": self.source_due.isoformat() if self.source_due else None,
            "adjusted": self.adjusted,
            "reason": self.reason,
            "clause": self.clause,
            "date_origin": self.date_origin,
            "holiday_policy": self.holiday_policy,
            "provisional": self.provisional,
            "note": self.note,
        }


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder wave: every unit still owing ``stage`` is reminded at ``at``."""

    stage: str
    kind: ReminderKind
    at: pendulum.DateTime
    provisional: bool

    @property
    def wave(self) -> str:
        """The wave's identity inside its stage, e.g. ``upcoming@2019-01-21``."""
        return f"{self.kind}@{self.at.date().isoformat()}"

    def to_json(self) -> dict[str, Any]:
        """The reminder as the JSON of ``kaohe plan``."""
        return {"stage": self.stage, "at": self.at.isoformat(), "kind": self.kind, "provisional": self.provisional}


@dataclass(frozen=True)
class Plan:
    """The dated timeline of a cycle."""

    scheme_id: str
    year: int
    stages: tuple[PlannedStage, ...]
    reminders: tuple[PlannedReminder, ...]
    events: Mapping[str, dt.date] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        """Whether any date was computed without the official holiday table of its year."""
        return any(s.provisional for s in self.stages) or any(r.provisional for r in self.reminders)

    def stage(self, stage_id: str) -> PlannedStage:
        """The planned stage with this id."""
        return next(s for s in self.stages if s.id == stage_id)

    def to_json(self) -> dict[str, Any]:
        """The plan as the JSON of ``kaohe plan``."""
        return {
            "scheme": self.scheme_id,
            "year": self.year,
            "provisional": self.provisional,
            "events": {k: v.isoformat() for k, v in self.events.items()},
            "warnings": list(self.warnings),
            "stages": [s.to_json() for s in self.stages],
            "reminders": [r.to_json() for r in self.reminders],
        }


def end_of_day(day: dt.date) -> pendulum.DateTime:
    """A deadline "by day X" is the last second of X, Beijing time."""
    return pendulum.datetime(day.year, day.month, day.day, 23, 59, 59, tz=TIMEZONE)


def at_time(day: dt.date, hhmm: str) -> pendulum.DateTime:
    """``day`` at ``HH:MM`` Beijing time."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    return pendulum.datetime(day.year, day.month, day.day, hour, minute, tz=TIMEZONE)


def apply_policy(day: dt.date, policy: HolidayPolicy, calendar: WorkdayCalendar) -> tuple[dt.date, str | None]:
    """Move a deadline that falls on a non-working day according to ``policy``; say why."""
    if calendar.is_working_day(day):
        return day, None
    why = f"{day.isoformat()} 为{calendar.describe(day)}"
    if policy == "next":
        final = calendar.next_working_day(day)
        return final, f"{why}，依《民法典》第二百零三条顺延至下一个工作日 {final.isoformat()}"
    if policy == "previous":
        final = calendar.previous_working_day(day)
        return final, f"{why}，按“{POLICY_NAMES[policy]}”调整为 {final.isoformat()}"
    return day, f"{why}，按“{POLICY_NAMES[policy]}”不作调整"


def plan_cycle(
    scheme: SchemeLike,
    year: int,
    calendar: WorkdayCalendar,
    *,
    policy_override: HolidayPolicy | None = None,
    events: Mapping[str, dt.date] | None = None,
    office_hours: str = "09:00",
    parent: ParentDates | None = None,
    pins: Mapping[str, dt.date] | None = None,
) -> Plan:
    """The dated timeline of ``scheme`` for assessment year ``year``.

    ``events`` are the coordinator's dates (e.g. a meeting); unset events take the scheme default.
    ``parent`` gives the parent cycle's final dates to a child scheme's ``parent.X`` expressions;
    ``pins`` are deadlines an admin set for whole stages (they hold, and dates relative to them follow).
    Raises ValueError when the scheme's dates cannot be resolved (a reference cycle, 29 Feb in a
    common year, a window that closes before it opens, a parent date that is not given).
    """
    resolver = _Resolver(scheme, year, calendar, policy_override, dict(events or {}), parent, dict(pins or {}))
    stages = tuple(resolver.stage(s.id) for s in scheme.stages)
    reminders: list[PlannedReminder] = []
    for planned, stage in zip(stages, scheme.stages, strict=True):
        if stage.reminders is None or stage.actor is None:
            continue
        plan = scheme.reminder_plans[stage.reminders]
        opens = planned.opens.date() if planned.opens else None
        reminders.extend(plan_reminders(planned.id, opens, planned.due.date(), plan, calendar, plan.at or office_hours))
    reminders.sort(key=lambda r: (r.at, [s.id for s in stages].index(r.stage)))
    event_days = resolver.event_days()
    warnings = [w for w in (validity_warning(scheme.name, scheme.validity, year),) if w]
    warnings += event_warnings(scheme, event_days, calendar)
    return Plan(scheme.id, year, stages, tuple(reminders), event_days, tuple(warnings))


def event_warnings(scheme: SchemeLike, event_days: Mapping[str, dt.date], calendar: WorkdayCalendar) -> list[str]:
    """A warning for each event (a meeting the coordinator sets) that falls on a non-working day."""
    return [
        f"事件“{scheme.events[key].name}”的日期 {day.isoformat()} 为{calendar.describe(day)}，请确认或用 --event {key}=YYYY-MM-DD 改期"
        for key, day in event_days.items()
        if not calendar.is_working_day(day)
    ]


def plan_reminders(stage_id: str, opens_day: dt.date | None, due_day: dt.date, plan: ReminderPlanLike,
                   calendar: WorkdayCalendar, hhmm: str) -> list[PlannedReminder]:
    """The reminder waves of one stage (or one unit's extended deadline); never on a non-working day.

    A due day that is not a working day (policy ``keep``) gets its last reminder on the working day before.
    """
    first_day = calendar.next_working_day(opens_day) if opens_day else None
    waves: dict[dt.date, ReminderKind] = {}
    if plan.stage_opened and first_day is not None and first_day <= due_day:
        waves[first_day] = "stage_opened"
    for n in plan.before:
        day = calendar.add_working_days(due_day, -n)
        if first_day is None or day > first_day:
            waves.setdefault(day, "upcoming")
    if plan.due_day:
        if calendar.is_working_day(due_day):
            waves[due_day] = "due_today"
        else:
            day = calendar.previous_working_day(due_day)
            if first_day is None or day > first_day:
                waves.setdefault(day, "upcoming")
    for n in plan.overdue_after:
        waves.setdefault(calendar.add_working_days(due_day, n), "overdue")
    for n in plan.escalate_after:
        waves[calendar.add_working_days(due_day, n)] = "escalation"
    return [
        PlannedReminder(stage_id, kind, at_time(day, hhmm), calendar.is_provisional(day))
        for day, kind in sorted(waves.items())
    ]


class _Resolver:
    """Resolves stage dates in dependency order, detecting reference cycles."""

    def __init__(self, scheme: SchemeLike, year: int, calendar: WorkdayCalendar,
                 policy_override: HolidayPolicy | None, events: dict[str, dt.date],
                 parent: ParentDates | None = None, pins: dict[str, dt.date] | None = None) -> None:
        self.scheme, self.year, self.calendar = scheme, year, calendar
        self.policy_override, self.events = policy_override, events
        self.parent, self.pins = parent, pins or {}
        self.done: dict[str, PlannedStage] = {}
        self.active: list[str] = []

    def event_days(self) -> dict[str, dt.date]:
        return {key: self._event(key).day for key in self.scheme.events}

    def _event(self, key: str) -> ResolvedDate:
        if key in self.events:
            return ResolvedDate(self.events[key], False)
        return self._date(self.scheme.events[key].default)

    def stage(self, stage_id: str) -> PlannedStage:
        if stage_id in self.done:
            return self.done[stage_id]
        if stage_id in self.active:
            raise ValueError(f"阶段日期循环引用：{' → '.join(self.active + [stage_id])}")
        self.active.append(stage_id)
        planned = self._plan(self.scheme.stage(stage_id))
        self.active.pop()
        self.done[stage_id] = planned
        return planned

    def _date(self, spec: DateSpecLike) -> ResolvedDate:
        expr = spec.expr
        if expr.kind == "year":
            base, from_default = dateexpr.resolve_year_date(expr, self.year), False
        elif expr.kind == "event":
            event = self._event(expr.ref or "")
            base, from_default = event.day, event.from_default
        elif expr.kind == "parent":
            base, from_default = self._parent(spec), False
        else:
            other = self.stage(expr.ref or "")
            moment = other.opens if expr.edge == "opens" else other.due
            if moment is None:
                raise ValueError(f"{spec.date!r}：阶段 {expr.ref} 没有开始日期")
            base, from_default = moment.date(), other.date_origin == "default"
        return ResolvedDate(shift_date(base, expr.shift, expr.shift_unit, self.calendar), from_default or spec.origin == "default")

    def _parent(self, spec: DateSpecLike) -> dt.date:
        expr = spec.expr
        if self.parent is None:
            raise ValueError(f"{spec.date!r}：引用上级方案的日期，但没有给出上级日程（方案 {self.scheme.id} 的 parent 为 {self.scheme.parent}）")
        dates = self.parent.get(expr.ref or "")
        if dates is None:
            raise ValueError(f"{spec.date!r}：上级方案没有阶段 {expr.ref}（有：{', '.join(sorted(self.parent))}）")
        moment = dates.opens if expr.edge == "opens" else dates.due
        if moment is None:
            raise ValueError(f"{spec.date!r}：上级阶段 {expr.ref} 没有开始日期")
        return moment

    def _plan(self, stage: StageLike) -> PlannedStage:
        policy = self.policy_override or stage.holiday_policy or self.scheme.holiday_policy.default
        due = self._date(stage.due)
        final, reason = apply_policy(due.day, policy, self.calendar)
        if stage.never_later and final > due.day:
            policy = "previous"
            final, reason = apply_policy(due.day, policy, self.calendar)
            reason = f"{reason}（本阶段不得晚于原定日期，{stage.clause}）"
        if stage.id in self.pins:
            final, reason = self.pins[stage.id], f"截止日期经调整为 {self.pins[stage.id].isoformat()}"
        opens = self._date(stage.opens) if stage.opens else None
        if opens is not None and opens.day > final:
            raise ValueError(f"阶段 {stage.id}：开始日期 {opens.day} 晚于截止日期 {final}")
        provisional = self.calendar.is_provisional(due.day) or self.calendar.is_provisional(final)
        if provisional:
            note = f"{due.day.year}年节假日安排尚未发布，仅按周末计算，为暂定日期"
            reason = f"{reason}；{note}" if reason else note
        notes = [n for n in (stage.opens.note if stage.opens else None, stage.due.note) if n]
        return PlannedStage(
            id=stage.id,
            name=stage.name,
            kind=stage.kind,
            actor=stage.actor,
            clause=stage.clause,
            submit=tuple(stage.submit),
            opens=pendulum.datetime(opens.day.year, opens.day.month, opens.day.day, tz=TIMEZONE) if opens else None,
            due=end_of_day(final),
            source_due=None if due.from_default else due.day,
            adjusted=final != due.day,
            reason=reason,
            date_origin="default" if due.from_default else "source",
            holiday_policy=policy,
            provisional=provisional,
            note="；".join(notes) or None,
        )


def shift_date(base: dt.date, count: int, unit: Literal["days", "working_days"], calendar: WorkdayCalendar) -> dt.date:
    """``base`` moved by ``count`` calendar days or working days (``stage.X.due - 3 working_days``).

    ``- N working_days`` is the working day from which exactly N working days (itself included) lie
    before ``base``; ``+ N working_days`` the working day ending exactly N working days after ``base``.
    """
    if unit == "working_days" and count:
        return calendar.add_working_days(base, count)
    return base + dt.timedelta(days=count)


OFFICE_DAY_ENDS = dt.time(18, 0)


def office_instant(moment: dt.datetime, calendar: WorkdayCalendar, hhmm: str) -> pendulum.DateTime:
    """The first instant at or after ``moment`` inside office hours (``hhmm``–18:00, Beijing time) on a
    working day: when a message that is not a timed reminder (sample drawn, results, a changed
    deadline) may go out. A message produced at midnight or on a holiday waits for the next morning."""
    local = pendulum.instance(moment).in_timezone(TIMEZONE)
    opening = at_time(local.date(), hhmm)
    if calendar.is_working_day(local.date()) and opening <= local and local.time() < OFFICE_DAY_ENDS:
        return local
    day = local.date() if calendar.is_working_day(local.date()) and local < opening else calendar.next_working_day(local.date(), inclusive=False)
    return at_time(day, hhmm)
