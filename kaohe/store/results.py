"""Published results and rectification: versions, per-unit lines, obligations, item review and their messages.

A published version is never changed (only ``feedback_sent_at`` is set once). A correction is the next
version with a reason; the audit log records what changed for which unit, and when feedback had already
gone out, every unit whose result changed is sent its new result (outbox key carries the version).
Rectification obligations live in the scheme's ``rectification`` stage, due with the stage, and exist
only for the units the result picks; the advancing engine reminds and escalates them like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from kaohe.db import calendar_of
from kaohe.errors import NotFoundError, StateError
from kaohe.models import (
    Cycle,
    CycleStage,
    ItemScore,
    Obligation,
    RectificationItem,
    ResultVersion,
    Unit,
    UnitResultRecord,
    VerificationSignoff,
)
from kaohe.results.lines import ResultLine, changes, result_lines
from kaohe.results.rectify import RULE_NAMES
from kaohe.scoring.inputs import PreviousResult
from kaohe.scoring.result import ScoreReport
from kaohe.store.advance import scheme_of
from kaohe.store.audit import record
from kaohe.store.cycles import get_unit
from kaohe.store.obligations import complete
from kaohe.store.outbox import Outgoing, cancel_for, deliver_at, enqueue
from kaohe.workdays import WorkdayCalendar

AGGREGATION_KIND = "aggregation"
FEEDBACK_KIND = "feedback"
RECTIFICATION_KIND = "rectification"
OWING = ("pending", "overdue")
NOTHING_TO_SUBMIT: list[str] = []
ITEM_STATUS_NAMES = {"open": "待报送", "reported": "待验收", "accepted": "已验收", "rejected": "已退回", "withdrawn": "已撤销"}


def stage_of_kind(cycle: Cycle, kind: str) -> CycleStage | None:
    """The cycle's first stage of ``kind`` (None when the scheme has none)."""
    return next((s for s in cycle.stages if s.kind == kind), None)


def latest_version(session: Session, cycle: Cycle) -> ResultVersion | None:
    """The version in force (the highest number), or None before the first publication."""
    return session.scalar(select(ResultVersion).where(ResultVersion.cycle_id == cycle.id).order_by(ResultVersion.version.desc()).limit(1))


def list_versions(session: Session, cycle: Cycle) -> list[ResultVersion]:
    """Every version of the cycle, oldest first."""
    return list(session.scalars(select(ResultVersion).where(ResultVersion.cycle_id == cycle.id).order_by(ResultVersion.version)))


def get_version(session: Session, cycle: Cycle, number: int | None = None) -> ResultVersion:
    """Version ``number`` (default: the one in force); NotFoundError says what exists."""
    version = latest_version(session, cycle) if number is None else session.scalar(
        select(ResultVersion).where(ResultVersion.cycle_id == cycle.id, ResultVersion.version == number))
    if version is None:
        known = "、".join(f"第{v.version}版" for v in list_versions(session, cycle)) or "尚未发布任何结果"
        raise NotFoundError(f"周期 {cycle.key} 没有{'' if number is None else f'第{number}版'}考核结果（{known}）")
    return version


def unit_records(session: Session, version: ResultVersion) -> list[tuple[UnitResultRecord, Unit]]:
    """The version's lines with their units, in report order (group, then rank)."""
    return [(r, u) for r, u in session.execute(
        select(UnitResultRecord, Unit).join(Unit, UnitResultRecord.unit_id == Unit.id)
        .where(UnitResultRecord.version_id == version.id).order_by(UnitResultRecord.id)
    ).all()]


def lines_of(session: Session, version: ResultVersion) -> list[ResultLine]:
    """The version's lines as plain data."""
    return [ResultLine(u.code, u.name, r.total, r.grade, r.rank, r.group, r.overall_rank, tuple(r.selections), r.must_rectify)
            for r, u in unit_records(session, version)]


def verified_scores(session: Session, cycle: Cycle) -> dict[str, dict[str, Decimal]]:
    """Unit code → item id → verified score, for every unit whose verified scores are signed off."""
    signed = select(VerificationSignoff.unit_id).where(VerificationSignoff.cycle_id == cycle.id)
    rows = session.execute(
        select(Unit.code, ItemScore.item_id, ItemScore.verified_score).join(Unit, ItemScore.unit_id == Unit.id)
        .where(ItemScore.cycle_id == cycle.id, ItemScore.unit_id.in_(signed), ItemScore.verified_score.is_not(None))
        .order_by(Unit.code, ItemScore.position)
    ).all()
    scores: dict[str, dict[str, Decimal]] = {}
    for code, item_id, value in rows:
        scores.setdefault(code, {})[item_id] = value
    return scores


def previous_year(session: Session, cycle: Cycle) -> tuple[str, list[PreviousResult]] | None:
    """The results in force of the same scheme's cycle for the year before (its key and each unit's selections)."""
    candidates = session.scalars(select(Cycle).where(Cycle.scheme_id == cycle.scheme_id, Cycle.year == cycle.year - 1)
                                 .order_by(Cycle.created_at.desc(), Cycle.id.desc()))
    for earlier in candidates:
        version = latest_version(session, earlier)
        if version is not None:
            return earlier.key, [PreviousResult(unit=line.unit, selections=frozenset(line.selections)) for line in lines_of(session, version)]
    return None


@dataclass(frozen=True)
class Published:
    """A version just recorded, what changed against the one it supersedes, and the version before it."""

    version: ResultVersion
    changed: dict[str, dict[str, object]]
    superseded: ResultVersion | None


def publish(session: Session, cycle: Cycle, report: ScoreReport, *, rectify: Mapping[str, Sequence[str]], rule: str,
            inputs: dict[str, Any], documents_dir: str, letters: Mapping[str, str], by: str, reason: str | None,
            now: dt.datetime) -> Published:
    """Record ``report`` as the next version; a correction (any version after the first) needs a reason."""
    before = latest_version(session, cycle)
    if before is not None and not (reason or "").strip():
        raise StateError(f"周期 {cycle.key} 已发布第{before.version}版考核结果；更正须说明理由，更正后的结果另存为第{before.version + 1}版")
    number = 1 if before is None else before.version + 1
    lines = result_lines(report, rectify)
    changed = changes(lines_of(session, before) if before is not None else [], lines)
    version = ResultVersion(
        cycle_id=cycle.id, version=number, report=report.to_dict(), inputs=inputs, rectify_rule=rule, documents_dir=documents_dir,
        published_at=now, published_by=by, supersedes_id=before.id if before else None, reason=(reason or "").strip() or None,
        created_at=now,
    )
    session.add(version)
    session.flush()
    units = {u.code: u for u in cycle.units}
    findings = {r.unit: list(rectify.get(r.unit, ())) for r in report.results}
    for line in lines:
        session.add(UnitResultRecord(
            version_id=version.id, cycle_id=cycle.id, unit_id=units[line.unit].id, total=line.total, grade=line.grade,
            rank=line.rank, group=line.group, overall_rank=line.overall_rank, selections=list(line.selections),
            must_rectify=line.must_rectify, findings=findings[line.unit], letter_path=letters.get(line.unit),
            changed=before is None or line.unit in changed,
        ))
    session.flush()
    detail: dict[str, Any] = {"version": number, "units": len(lines), "must_rectify": sorted(rectify),
                              "rule": rule, "rule_text": RULE_NAMES.get(rule, rule), "documents": documents_dir,
                              "sources": inputs.get("counts", {})}
    if before is not None:
        detail.update(supersedes=before.version, reason=version.reason, changed=changed)
    record(session, actor=by, action="results.published" if before is None else "results.corrected", cycle_id=cycle.id,
           subject=f"v{number}", at=now, detail=detail)
    return Published(version, changed, before)


@dataclass
class RectificationSync:
    """What a version did to the rectification stage."""

    stage: str | None
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"stage": self.stage, "created": self.created, "kept": self.kept, "reinstated": self.reinstated,
                "withdrawn": self.withdrawn}


def sync_rectification(session: Session, cycle: Cycle, version: ResultVersion, rectify: Mapping[str, Sequence[str]], *,
                       by: str, now: dt.datetime) -> RectificationSync:
    """Give every unit the version picks a rectification obligation (due with the stage) and its items;
    waive those of units a correction no longer picks. A unit already rectifying keeps its items and reviews."""
    stage = stage_of_kind(cycle, RECTIFICATION_KIND)
    sync = RectificationSync(stage.key if stage else None)
    if stage is None:
        return sync
    units = {u.code: u for u in cycle.units}
    existing = {o.unit_id: o for o in session.scalars(select(Obligation).where(Obligation.stage_id == stage.id))}
    for code, texts in sorted(rectify.items()):
        unit = units[code]
        obligation = existing.get(unit.id)
        if obligation is not None and obligation.status != "waived":
            sync.kept.append(code)
            continue
        if obligation is None:
            obligation = Obligation(cycle_id=cycle.id, stage_id=stage.id, unit_id=unit.id, due_at=stage.due_at, created_at=now,
                                    updated_at=now)
            session.add(obligation)
            session.flush()
            for number, text in enumerate(texts, start=1):
                session.add(RectificationItem(cycle_id=cycle.id, unit_id=unit.id, obligation_id=obligation.id, version_id=version.id,
                                              number=number, text=text, status="open", created_at=now))
            sync.created.append(code)
        else:
            obligation.status, obligation.updated_at = "pending", now
            for item in _items(session, unit):
                if item.status == "withdrawn":
                    item.status = "open"
            sync.reinstated.append(code)
        record(session, actor=by, action="rectification.required", cycle_id=cycle.id, subject=f"{stage.key}:{code}", at=now,
               detail={"version": version.version, "due": obligation.due_at.isoformat(), "items": list(texts)})
    picked = {units[c].id for c in rectify}
    for unit_id, obligation in existing.items():
        if unit_id in picked or obligation.status == "waived":
            continue
        code = next(u.code for u in cycle.units if u.id == unit_id)
        obligation.status, obligation.updated_at = "waived", now
        for item in session.scalars(select(RectificationItem).where(RectificationItem.obligation_id == obligation.id)):
            if item.status != "accepted":
                item.status = "withdrawn"
        cancel_for(session, cycle_id=cycle.id, stage_key=stage.key, unit_ids=[unit_id])
        record(session, actor=by, action="rectification.withdrawn", cycle_id=cycle.id, subject=f"{stage.key}:{code}", at=now,
               detail={"version": version.version, "reason": version.reason})
        sync.withdrawn.append(code)
    session.flush()
    return sync


def complete_owing(session: Session, cycle: Cycle, kind: str, *, by: str, now: dt.datetime) -> list[str]:
    """Complete what is still owed in the stages of ``kind`` (the office's summary or feedback); the codes done."""
    done: list[str] = []
    for stage in (s for s in cycle.stages if s.kind == kind):
        rows = session.execute(select(Unit.code).join(Obligation, Obligation.unit_id == Unit.id)
                               .where(Obligation.stage_id == stage.id, Obligation.status.in_(OWING))).scalars().all()
        for code in rows:
            complete(session, cycle, code, stage.key, at=now, actor=by)
            done.append(f"{stage.key}:{code}")
    return done


def _outgoing(cycle: Cycle, unit: Unit, stage_key: str | None, kind: str, wave: str, subject: str, body: str,
              now: dt.datetime, *, context: Mapping[str, object] | None = None, attachments: Sequence[Path] = ()) -> list[Outgoing]:
    from kaohe.notifications.addressing import address_for, office_of, primary_channels
    from kaohe.notifications.extras import attachment_ref
    from kaohe.store.advance import message_extras

    office = office_of(list(cycle.units), scheme_of(cycle).roles.get("coordinator"))
    obligation_due = context.get("due") if context else None
    extras = message_extras(cycle, office, unit, kind, context or {}, link_unit=unit.code, link_stage=stage_key,
                            link_until=obligation_due if isinstance(obligation_due, dt.datetime) else None)
    if attachments:
        extras["attachments"] = [attachment_ref(path) for path in attachments]
    return [
        Outgoing(key=f"{cycle.key}:{stage_key or '-'}:{unit.code}:{kind}:{wave}:{channel}", cycle_id=cycle.id, stage_key=stage_key,
                 unit_id=unit.id, kind=kind, wave=wave, channel=channel, recipient=address_for(channel, unit.contacts) or "",
                 subject=subject, body=body, send_after=deliver_at(now, cycle.office_hours, calendar_of(object_session(cycle))), extras=extras)
        for channel in primary_channels(unit.contacts, unit.attributes)
    ]


def _selection_names(cycle: Cycle, version: ResultVersion, code: str) -> list[str]:
    """The selections (先进, 末位 …) that picked the unit in ``version``, by name, in the report's order."""
    for result in version.report.get("results", []):
        if result.get("unit") == code:
            decisions = result.get("decisions") or result.get("explanation", {}).get("decisions") or []
            return [str(d.get("name") or d.get("id")) for d in decisions if d.get("selected")]
    return []


def letter_files(home: Path, letter_path: str | None) -> list[Path]:
    """A unit's feedback letter files to attach: the DOCX and, where one was rendered beside it, the PDF."""
    if not letter_path:
        return []
    docx = home / letter_path
    pdf = docx.with_suffix(".pdf")
    return [p for p in (docx, pdf) if p.is_file()]


def _base_context(cycle: Cycle, unit: Unit, stage: CycleStage, due: dt.datetime) -> dict[str, object]:
    from kaohe.notifications.addressing import office_of
    from kaohe.notifications.links import LINK_MARKER

    scheme = scheme_of(cycle)
    submit = {s.id: s.submit for s in scheme.stages}
    office = office_of(list(cycle.units), scheme.roles.get("coordinator"))
    return {"unit": unit.name, "stage": stage.name, "due": due, "clause": stage.clause, "scheme": scheme.name,
            "cycle": cycle.year, "deliverables": submit.get(stage.key) or [stage.name], "provisional": stage.provisional,
            "office": office.name, "contact": office.contact, "link": LINK_MARKER}


def results_messages(session: Session, cycle: Cycle, version: ResultVersion, home: Path, *, now: dt.datetime,
                     only: set[str] | None = None, note: str | None = None) -> list[Outgoing]:
    """A ``results`` message per unit of ``version`` (or those in ``only``), naming its feedback letter.

    A unit that must rectify is asked for its rectification report by the rectification deadline; the
    others only receive their result.
    """
    from kaohe.notifications.render import render

    feedback = stage_of_kind(cycle, FEEDBACK_KIND)
    rectification = stage_of_kind(cycle, RECTIFICATION_KIND)
    owed = _rectification_obligations(session, cycle)
    messages: list[Outgoing] = []
    for row, unit in unit_records(session, version):
        if only is not None and unit.code not in only:
            continue
        obligation = owed.get(unit.id)
        if row.must_rectify and rectification is not None and obligation is not None:
            context = _base_context(cycle, unit, rectification, obligation.due_at)
        elif feedback is not None:
            context = {**_base_context(cycle, unit, feedback, feedback.due_at), "deliverables": NOTHING_TO_SUBMIT}
        else:
            continue
        files = letter_files(home, row.letter_path)
        context.update(grade=row.grade or f"第{row.rank}名（{row.group}）", score=row.total, note=note,
                       selections=[f"列入“{name}”" for name in _selection_names(cycle, version, unit.code)],
                       attached=[f"书面反馈意见（第{version.version}版）{path.name}" for path in files[:1]] + [p.name for p in files[1:]])
        subject, body = render("results", context)
        stage_key = feedback.key if feedback is not None else None
        messages += _outgoing(cycle, unit, stage_key, "results", f"results@v{version.version}", subject, body, now,
                              context=context, attachments=files)
    return messages


def rectification_messages(session: Session, cycle: Cycle, codes: Sequence[str], *, wave: str, now: dt.datetime,
                           only_items: Mapping[str, Sequence[int]] | None = None, note: str | None = None) -> list[Outgoing]:
    """A ``rectification`` message to each unit in ``codes`` listing its items (or just ``only_items``)."""
    from kaohe.notifications.render import render

    stage = stage_of_kind(cycle, RECTIFICATION_KIND)
    if stage is None:
        return []
    owed = _rectification_obligations(session, cycle)
    messages: list[Outgoing] = []
    for code in codes:
        unit = get_unit(session, cycle, code)
        obligation = owed.get(unit.id)
        if obligation is None or obligation.status == "waived":
            continue
        items = [i for i in _items(session, unit) if only_items is None or i.number in only_items.get(code, ())]
        context = _base_context(cycle, unit, stage, obligation.due_at)
        context.update(problems=[i.text for i in items], note=note)
        subject, body = render("rectification", context)
        messages += _outgoing(cycle, unit, stage.key, "rectification", wave, subject, body, now, context=context)
    return messages


def send_feedback(session: Session, cycle: Cycle, home: Path, *, by: str, now: dt.datetime,
                  calendar: WorkdayCalendar) -> dict[str, object]:
    """Send the version in force to every unit (results, and rectification to those who must), once per version,
    once every approval step is recorded and the 公示 period is over; the office's feedback obligation (通报) is then done."""
    from kaohe.results.approval import approval_state
    from kaohe.store.approvals import recorded_approvals

    version = latest_version(session, cycle)
    if version is None:
        return {"sent": False, "reason": "尚无考核结果"}
    if version.feedback_sent_at is not None:
        return {"sent": False, "version": version.version, "reason": f"第{version.version}版结果已于 {version.feedback_sent_at.isoformat()} 发送"}
    state = approval_state(scheme_of(cycle).approval, recorded_approvals(session, cycle, version.version), calendar)
    blocking = state.blocking(now)
    if blocking is not None:
        return {"sent": False, "version": version.version, "blocked": True, "reason": f"第{version.version}版结果暂不通知各单位：{blocking}"}
    rectifying = [u.code for r, u in unit_records(session, version) if r.must_rectify]
    messages = results_messages(session, cycle, version, home, now=now)
    messages += rectification_messages(session, cycle, rectifying, wave=f"rectification@v{version.version}", now=now)
    queued = enqueue(session, messages, now)
    version.feedback_sent_at = now
    done = complete_owing(session, cycle, FEEDBACK_KIND, by=by, now=now)
    record(session, actor=by, action="results.feedback_sent", cycle_id=cycle.id, subject=f"v{version.version}", at=now,
           detail={"messages": queued, "rectifying": rectifying, "completed": done})
    return {"sent": True, "version": version.version, "messages": queued, "rectifying": rectifying}


def notify_correction(session: Session, cycle: Cycle, published: Published, sync: RectificationSync, home: Path, *,
                      by: str, now: dt.datetime) -> int:
    """After a correction: if an earlier version was sent, send the new results to every unit whose result changed
    and the rectification notice to units newly picked. Returns the number of messages queued."""
    earlier = [v for v in list_versions(session, cycle) if v.version < published.version.version and v.feedback_sent_at]
    if not earlier:
        return 0
    version = published.version
    note = f"本通知更正此前发送的第{earlier[-1].version}版考核结果，更正理由：{version.reason}"
    messages = results_messages(session, cycle, version, home, now=now, only=set(published.changed), note=note)
    messages += rectification_messages(session, cycle, sync.created + sync.reinstated, wave=f"rectification@v{version.version}",
                                       now=now, note=note)
    queued = enqueue(session, messages, now)
    version.feedback_sent_at = now
    record(session, actor=by, action="results.correction_sent", cycle_id=cycle.id, subject=f"v{version.version}", at=now,
           detail={"units": sorted(published.changed), "messages": queued})
    return queued


def _rectification_obligations(session: Session, cycle: Cycle) -> dict[int, Obligation]:
    stage = stage_of_kind(cycle, RECTIFICATION_KIND)
    if stage is None:
        return {}
    return {o.unit_id: o for o in session.scalars(select(Obligation).where(Obligation.stage_id == stage.id))}


def _items(session: Session, unit: Unit) -> list[RectificationItem]:
    return list(session.scalars(select(RectificationItem).where(RectificationItem.unit_id == unit.id).order_by(RectificationItem.number)))


def rectification_of(session: Session, cycle: Cycle, unit_code: str) -> tuple[Obligation, list[RectificationItem]]:
    """The unit's rectification obligation and items; NotFoundError when it has none."""
    unit = get_unit(session, cycle, unit_code)
    obligation = _rectification_obligations(session, cycle).get(unit.id)
    if obligation is None:
        raise NotFoundError(f"单位 {unit_code}（{unit.name}）在周期 {cycle.key} 无整改任务")
    return obligation, _items(session, unit)


def list_rectifications(session: Session, cycle: Cycle, unit_code: str | None = None) -> list[tuple[Unit, Obligation, list[RectificationItem]]]:
    """Every unit with a rectification obligation (or just ``unit_code``), with its items."""
    owed = _rectification_obligations(session, cycle)
    units = [get_unit(session, cycle, unit_code)] if unit_code else [u for u in cycle.units if u.id in owed]
    return [(u, owed[u.id], _items(session, u)) for u in units if u.id in owed]


def mark_reported(session: Session, cycle: Cycle, unit_code: str, *, version: int, by: str, now: dt.datetime) -> list[int]:
    """A rectification report came in: its open and rejected items await review. The item numbers concerned."""
    _, items = rectification_of(session, cycle, unit_code)
    numbers = []
    for item in items:
        if item.status in ("open", "rejected"):
            item.status = "reported"
            numbers.append(item.number)
    record(session, actor=by, action="rectification.reported", cycle_id=cycle.id, subject=unit_code, at=now,
           detail={"submission_version": version, "items": numbers})
    return numbers


@dataclass(frozen=True)
class Review:
    """The outcome of reviewing one item."""

    unit: str
    item: int
    text: str
    status: str
    reopened: bool
    finished: bool
    messages: int = 0


def review_item(session: Session, cycle: Cycle, unit_code: str, number: int, status: str, *, by: str, now: dt.datetime,
                note: str | None = None) -> Review:
    """Accept or reject one reported item. A rejection re-opens the obligation (overdue if past due) and tells the unit."""
    if status not in ("accepted", "rejected"):
        raise StateError(f"验收结论应为 accepted 或 rejected，不是 {status!r}")
    if not by.strip():
        raise StateError("验收须注明验收人（--by）")
    obligation, items = rectification_of(session, cycle, unit_code)
    item = next((i for i in items if i.number == number), None)
    if item is None:
        raise NotFoundError(f"单位 {unit_code} 的整改事项只有 {', '.join(str(i.number) for i in items)} 号，没有 {number} 号")
    if item.status != "reported":
        why = {"open": "尚未报送整改报告", "accepted": "已验收通过", "rejected": "已退回，待单位重新报送",
               "withdrawn": "已因结果更正而撤销"}[item.status]
        raise StateError(f"单位 {unit_code} 第 {number} 项整改事项{why}，不能验收")
    item.status, item.reviewed_by, item.reviewed_at, item.review_note = status, by, now, note
    reopened = False
    queued = 0
    if status == "rejected":
        reopened = obligation.status == "done"
        overdue = now > obligation.due_at
        obligation.status = "overdue" if overdue else "pending"
        obligation.completed_at, obligation.overdue_since, obligation.updated_at = None, now if overdue else None, now
        text = f"第 {number} 项整改未通过验收（{by}）" + (f"：{note}" if note else "") + "，请继续整改并重新报送整改报告。"
        queued = enqueue(session, rectification_messages(
            session, cycle, [unit_code], wave=f"rejected@{now.strftime('%Y%m%dT%H%M%S')}-{number}", now=now,
            only_items={unit_code: [number]}, note=text), now)
        if reopened:
            record(session, actor=by, action="obligation.reopened", cycle_id=cycle.id, subject=f"{obligation.stage.key}:{unit_code}",
                   at=now, detail={"reason": f"整改事项第 {number} 项未通过验收", "status": obligation.status})
    finished = all(i.status in ("accepted", "withdrawn") for i in items)
    record(session, actor=by, action="rectification.reviewed", cycle_id=cycle.id, subject=f"{unit_code}#{number}", at=now,
           detail={"item": number, "text": item.text, "status": status, "note": note, "all_accepted": finished})
    if finished:
        record(session, actor=by, action="rectification.accepted", cycle_id=cycle.id, subject=unit_code, at=now,
               detail={"items": [i.number for i in items if i.status == "accepted"]})
    return Review(unit_code, number, item.text, status, reopened, finished, queued)
