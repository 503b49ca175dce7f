"""Read models of the portal's pages: plain rows computed with a few queries each (templates hold none)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from kaohe.clock import BEIJING
from kaohe.errors import NotFoundError
from kaohe.models import AuditEntry, Cycle, CycleStage, Obligation, OutboxMessage, ResultVersion, Submission, Unit, UnitResultRecord
from kaohe.store.status import cycle_status
from kaohe.web.deadlines import working_days_between
from kaohe.workdays import WorkdayCalendar

FILTER_ATTRIBUTES = ("region", "city", "county", "township", "kind")
FILTER_NAMES = {"region": "片区", "city": "市州", "county": "县", "township": "乡镇", "kind": "类别"}
CHANNEL_NAMES = {"email": "邮件", "wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "webhook": "回调", "sms": "短信"}
MESSAGE_STATUS = {"pending": "待发送", "claimed": "发送中", "sending": "发送中", "sent": "已发送", "failed": "发送失败",
                  "uncertain": "状态不明", "cancelled": "已取消"}
STATUS_NAMES = {"pending": "待报送", "done": "已完成", "overdue": "已逾期", "waived": "已免除", "late": "逾期完成"}


def beijing_date(moment: dt.datetime) -> dt.date:
    """The calendar date of an instant in Beijing."""
    return moment.astimezone(BEIJING).date()


def submit_lists(cycle: Cycle) -> dict[str, list[str]]:
    """What each stage asks to hand in (the scheme's ``submit:`` lists), by stage key."""
    return {stage.get("id", ""): list(stage.get("submit") or []) for stage in (cycle.scheme_snapshot or {}).get("stages", [])}


@dataclass(frozen=True)
class Task:
    """One obligation of a unit as its task list shows it."""

    cycle: str
    cycle_title: str
    stage: str
    stage_name: str
    stage_status: str
    due: dt.datetime
    status: str
    days: int
    submit: list[str]
    versions: int
    completed_at: dt.datetime | None
    provisional: bool
    kind: str = ""

    @property
    def page(self) -> str:
        """Where the unit acts on it: a supervision order's page, the rectification items, or the task's upload page."""
        if self.kind == "supervision_order" and self.stage.startswith("order_") and self.stage[6:].isdigit():
            return f"/orders/{self.cycle}/{self.stage[6:]}"
        if self.kind == "rectification":
            return "/rectification"
        return f"/tasks/{self.cycle}/{self.stage}"

    @property
    def overdue(self) -> bool:
        """Not done and past its due date."""
        return self.status == "overdue"


def my_tasks(session: Session, calendar: WorkdayCalendar, unit_code: str, now: dt.datetime) -> list[Task]:
    """Every obligation of the unit ``unit_code`` in every cycle, soonest due first."""
    versions = (select(func.max(Submission.version)).where(Submission.obligation_id == Obligation.id)
                .correlate(Obligation).scalar_subquery())  # per obligation of this unit, not grouped over every submission
    rows = session.execute(
        select(Obligation, CycleStage, Cycle, versions)
        .join(Unit, Obligation.unit_id == Unit.id).join(CycleStage, Obligation.stage_id == CycleStage.id)
        .join(Cycle, Obligation.cycle_id == Cycle.id)
        .where(Unit.code == unit_code).order_by(Obligation.due_at, CycleStage.position)
    ).all()
    today = beijing_date(now)
    lists: dict[int, dict[str, list[str]]] = {}
    tasks = []
    for obligation, stage, cycle, count in rows:
        lists.setdefault(cycle.id, submit_lists(cycle))
        status = "overdue" if obligation.status == "pending" and obligation.due_at < now else obligation.status
        tasks.append(Task(
            cycle=cycle.key, cycle_title=cycle_title(cycle), stage=stage.key, stage_name=stage.name, stage_status=stage.status,
            due=obligation.due_at, status=status, days=working_days_between(calendar, today, beijing_date(obligation.due_at)),
            submit=lists[cycle.id].get(stage.key, []), versions=count or 0, completed_at=obligation.completed_at,
            provisional=stage.provisional, kind=stage.kind))
    return tasks


def cycle_title(cycle: Cycle) -> str:
    """The cycle as people name it: the scheme's Chinese name and the year."""
    name = (cycle.scheme_snapshot or {}).get("name") or cycle.scheme_id
    return f"{name}（{cycle.year}年度）"


@dataclass(frozen=True)
class CycleRow:
    """A cycle in the coordinator's list."""

    key: str
    title: str
    status: str
    phase: str
    next_deadline: dt.datetime | None
    next_stage: str | None
    units: int


def cycles_overview(session: Session, cycles: list[Cycle], now: dt.datetime) -> list[CycleRow]:
    """Each cycle's phase (its open stages) and next deadline."""
    rows = []
    for cycle in cycles:
        open_stages = [s.name for s in cycle.stages if s.status == "open"]
        upcoming = [s for s in cycle.stages if s.due_at >= now]
        nxt = min(upcoming, key=lambda s: s.due_at) if upcoming else None
        rows.append(CycleRow(cycle.key, cycle_title(cycle), cycle.status, "、".join(open_stages) or ("已结束" if not upcoming else "未开始"),
                             nxt.due_at if nxt else None, nxt.name if nxt else None, len(cycle.units)))
    return rows


@dataclass(frozen=True)
class BoardRow:
    """One stage on the cycle board."""

    stage: str
    name: str
    status: str
    opens: dt.datetime | None
    due: dt.datetime
    provisional: bool
    adjusted_reason: str | None
    obliged: int
    done: int
    done_late: int
    overdue: int
    pending: int

    def percent(self, part: int) -> int:
        """``part`` as a whole percentage of the obliged."""
        return round(100 * part / self.obliged) if self.obliged else 0


def cycle_board(session: Session, cycle: Cycle, now: dt.datetime) -> list[BoardRow]:
    """Per stage: obliged, done (on time), done late, overdue, pending."""
    late_done: dict[int, int] = dict(session.execute(  # type: ignore[arg-type]
        select(Obligation.stage_id, func.count())
        .where(Obligation.cycle_id == cycle.id, Obligation.status == "done", Obligation.completed_at > Obligation.due_at)
        .group_by(Obligation.stage_id)).all())
    stages = {s.key: s for s in cycle.stages}
    rows = []
    for status in cycle_status(session, cycle.id, now):
        stage = stages[status.stage]
        late = late_done.get(stage.id, 0)
        rows.append(BoardRow(stage.key, stage.name, stage.status, stage.opens_at, stage.due_at, stage.provisional, stage.reason,
                             status.obliged, status.done - late, late, status.overdue, status.pending))
    return rows


@dataclass(frozen=True)
class OverdueRow:
    """One unit late with one stage."""

    unit: str
    unit_name: str
    attributes: dict[str, str | None]
    stage: str
    stage_name: str
    due: dt.datetime
    overdue_days: int
    reminder_at: dt.datetime | None
    reminder_channel: str | None
    reminder_status: str | None
    reminder_kind: str | None
    supervisor: str | None
    supervisor_name: str | None


@dataclass
class OverdueFilter:
    """Which overdue obligations to list: one stage, and roster attributes that must match exactly."""

    stage: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> OverdueFilter:
        """From a page's query parameters (empty values ignored)."""
        return cls(stage=params.get("stage") or None,
                   attributes={k: params[k] for k in FILTER_ATTRIBUTES if params.get(k)})


def _overdue_query(cycle: Cycle, now: dt.datetime, chosen: OverdueFilter, *columns: Any) -> Select[Any]:
    """``columns`` of the obligations past their due date and not done, joined to unit and stage, filtered."""
    query = (select(*columns).select_from(Obligation)
             .join(Unit, Obligation.unit_id == Unit.id).join(CycleStage, Obligation.stage_id == CycleStage.id)
             .where(Obligation.cycle_id == cycle.id, Obligation.status.in_(("pending", "overdue")), Obligation.due_at < now))
    if chosen.stage:
        query = query.where(CycleStage.key == chosen.stage)
    for name, value in chosen.attributes.items():
        query = query.where(getattr(Unit, name) == value)
    return query


def last_reminders(session: Session, cycle: Cycle, pairs: Collection[tuple[int, str]]) -> dict[tuple[int, str], tuple[Any, ...]]:
    """The newest message to each (unit id, stage key) in ``pairs``: (sent_at, send_after, channel, status, kind).

    Read for the listed units only (500 at a time), not grouped over the cycle's whole outbox."""
    units = sorted({unit_id for unit_id, _ in pairs})
    found: dict[tuple[int, str], tuple[Any, ...]] = {}
    for start in range(0, len(units), 500):
        newest = (select(func.max(OutboxMessage.id).label("id"))
                  .where(OutboxMessage.cycle_id == cycle.id, OutboxMessage.unit_id.in_(units[start:start + 500]))
                  .group_by(OutboxMessage.unit_id, OutboxMessage.stage_key).subquery())
        for unit_id, stage_key, *fields in session.execute(
                select(OutboxMessage.unit_id, OutboxMessage.stage_key, OutboxMessage.sent_at, OutboxMessage.send_after,
                       OutboxMessage.channel, OutboxMessage.status, OutboxMessage.kind)
                .join(newest, OutboxMessage.id == newest.c.id)):
            if (unit_id, stage_key) in pairs:
                found[(unit_id, stage_key)] = tuple(fields)
    return found


def overdue_list(session: Session, calendar: WorkdayCalendar, cycle: Cycle, now: dt.datetime, chosen: OverdueFilter) -> list[OverdueRow]:
    """Units past a due date and not done, with their last reminder and supervisor, longest overdue first."""
    return _overdue_rows(session, calendar, cycle, now, chosen, None)[0]


def overdue_page(session: Session, calendar: WorkdayCalendar, cycle: Cycle, now: dt.datetime, chosen: OverdueFilter,
                 limit: int) -> tuple[list[OverdueRow], int]:
    """The first ``limit`` rows of ``overdue_list`` and how many it has in all, in one query (a page reads only what it
    shows, and the last reminders of those units only)."""
    return _overdue_rows(session, calendar, cycle, now, chosen, limit)


def _overdue_rows(session: Session, calendar: WorkdayCalendar, cycle: Cycle, now: dt.datetime, chosen: OverdueFilter,
                  limit: int | None) -> tuple[list[OverdueRow], int]:
    supervisor = aliased(Unit)
    columns = (Obligation.due_at, Unit.id, Unit.code, Unit.name, *(getattr(Unit, k) for k in FILTER_ATTRIBUTES), Unit.supervisor_code,
               CycleStage.key, CycleStage.name, supervisor.name)
    reminder = (OutboxMessage.sent_at, OutboxMessage.send_after, OutboxMessage.channel, OutboxMessage.status, OutboxMessage.kind)
    if limit is None:  # every row: the newest message per (unit, stage) grouped once over the cycle's outbox
        last = (select(OutboxMessage.unit_id, OutboxMessage.stage_key, func.max(OutboxMessage.id).label("id"))
                .where(OutboxMessage.cycle_id == cycle.id, OutboxMessage.unit_id.is_not(None))
                .group_by(OutboxMessage.unit_id, OutboxMessage.stage_key).subquery())
        query = (_overdue_query(cycle, now, chosen, *columns, *reminder)
                 .outerjoin(last, and_(last.c.unit_id == Unit.id, last.c.stage_key == CycleStage.key))
                 .outerjoin(OutboxMessage, OutboxMessage.id == last.c.id))
    else:  # a page: its rows and the total first, then the newest messages of those units only
        query = _overdue_query(cycle, now, chosen, *columns, func.count().over())
    query = (query.outerjoin(supervisor, and_(supervisor.cycle_id == cycle.id, supervisor.code == Unit.supervisor_code))
             .order_by(Obligation.due_at, CycleStage.position, Unit.code))
    found: list[Any]
    if limit is not None:
        found = list(session.execute(query.limit(limit)))
        total = found[0][-1] if found else 0
        reminders = last_reminders(session, cycle, {(row[1], row[-4]) for row in found})
        found = [(*row[:-1], *reminders.get((row[1], row[-4]), (None,) * 5)) for row in found]
    else:
        found = list(session.execute(query))
        total = len(found)
    today = beijing_date(now)
    overdue_days: dict[dt.datetime, int] = {}  # rows share a few due instants; counting days is per instant, not per row
    width = len(FILTER_ATTRIBUTES)
    rows = []
    for due, _, code, name, *rest in found:
        attributes, (supervisor_code, stage_key, stage_name, supervisor_name, sent_at, send_after, channel, status, kind) = \
            rest[:width], rest[width:]
        if due not in overdue_days:
            overdue_days[due] = working_days_between(calendar, beijing_date(due), today)
        rows.append(OverdueRow(
            unit=code, unit_name=name, attributes=dict(zip(FILTER_ATTRIBUTES, attributes)), stage=stage_key, stage_name=stage_name,
            due=due, overdue_days=overdue_days[due], reminder_at=sent_at or send_after, reminder_channel=channel,
            reminder_status=status, reminder_kind=kind, supervisor=supervisor_code, supervisor_name=supervisor_name))
    return rows, total


def filter_choices(session: Session, cycle: Cycle) -> dict[str, list[str]]:
    """The values each roster attribute takes in the cycle (for the filter's drop-downs), from one scan of its units."""
    seen: dict[str, set[str]] = {name: set() for name in FILTER_ATTRIBUTES}
    for row in session.execute(select(*(getattr(Unit, name) for name in FILTER_ATTRIBUTES)).where(Unit.cycle_id == cycle.id).distinct()):
        for name, value in zip(FILTER_ATTRIBUTES, row):
            if value:
                seen[name].add(value)
    return {name: sorted(values) for name, values in seen.items()}


def unit_submissions(session: Session, cycle: Cycle, unit: Unit, stage_key: str | None = None) -> list[tuple[Submission, str]]:
    """Every stored file of the unit in the cycle (newest version first), with its stage's name."""
    query = (select(Submission, CycleStage.name).join(CycleStage, Submission.stage_id == CycleStage.id)
             .where(Submission.cycle_id == cycle.id, Submission.unit_id == unit.id))
    if stage_key:
        query = query.where(CycleStage.key == stage_key)
    return [(row, name) for row, name in session.execute(query.order_by(CycleStage.position, Submission.version.desc(), Submission.kind))]


def unit_in_cycle(session: Session, cycle: Cycle, code: str) -> Unit:
    """The unit ``code`` of ``cycle``; NotFoundError if it is not on the roster."""
    unit = session.scalar(select(Unit).where(Unit.cycle_id == cycle.id, Unit.code == code))
    if unit is None:
        raise NotFoundError(f"周期 {cycle.key} 名册中没有单位 {code}")
    return unit


def unit_result(session: Session, cycle: Cycle, unit: Unit) -> tuple[ResultVersion, UnitResultRecord] | None:
    """The unit's line in the newest result version that was sent to the units, if any."""
    row = session.execute(
        select(ResultVersion, UnitResultRecord).join(UnitResultRecord, UnitResultRecord.version_id == ResultVersion.id)
        .where(ResultVersion.cycle_id == cycle.id, UnitResultRecord.unit_id == unit.id, ResultVersion.feedback_sent_at.is_not(None))
        .order_by(ResultVersion.version.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def letter_path(session: Session, version: ResultVersion, unit_code: str) -> str | None:
    """Where the unit ``unit_code``'s feedback letter of ``version`` is stored (under the home), if it has one."""
    return session.scalar(select(UnitResultRecord.letter_path).join(Unit, UnitResultRecord.unit_id == Unit.id)
                          .where(UnitResultRecord.version_id == version.id, Unit.code == unit_code))


def audit_entries(session: Session, actor: str | None = None, limit: int = 300) -> list[AuditEntry]:
    """The newest ``limit`` audit entries, newest first (only ``actor``'s when given)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query))


def special_scorings(session: Session, cycle: Cycle) -> dict[str, AuditEntry]:
    """Per special verification stage of ``cycle``, the latest scoring recorded (its audit entry: file, hash, scores)."""
    query = (select(AuditEntry).where(AuditEntry.cycle_id == cycle.id, AuditEntry.action == "special_verification.scored")
             .order_by(AuditEntry.id))
    return {entry.subject: entry for entry in session.scalars(query) if entry.subject}
