"""Results out: aggregate a cycle's scores into a published version, and send the version in force to the units.

Aggregation: the inputs (score sheet rows where given, else signed-off verified scores — see
``kaohe.results.inputs``) are scored with ``kaohe.scoring``, the documents are written under
``KAOHE_HOME/results/<cycle>/v<N>/``, the ScoreReport is stored as version N, rectification
obligations follow the version, and the office's aggregation obligation is completed — all in one
unit of work (documents are rendered completely before any file is replaced, and removed if it fails).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from kaohe.cascade.collect import children_results
from kaohe.cascade.upward import ChildResults, child_inputs, provenance
from kaohe.clock import BEIJING
from kaohe.errors import InputError, Problem, ScoreSheetError, StateError
from kaohe.inputfiles import hash_file
from kaohe.reports import meta_from_scheme, write_reports
from kaohe.reports.writer import LETTERS_DIR
from kaohe.results.facts import UnitFacts, facts_of, group_of
from kaohe.results.inputs import CHILD, SOURCE_NAMES, plan_inputs
from kaohe.results.rectify import RULE_NAMES, RULES, RectifyRule, default_rule, rectification_items
from kaohe.scoring import PreviousResult, ScoringSpec, UnitInput, read_previous, read_score_sheet, score
from kaohe.scoring.form_files import FormFile, entered_notes, form_notes, merger, read_forms
from kaohe.scoring.sheet import Merge
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.advance import scheme_of
from kaohe.store.cycles import get_cycle
from kaohe.store.results import (
    AGGREGATION_KIND,
    FEEDBACK_KIND,
    complete_owing,
    latest_version,
    notify_correction,
    previous_year,
    publish,
    stage_of_kind,
    sync_rectification,
    verified_scores,
)
from kaohe.store.results import (
    send_feedback as queue_feedback,
)
from kaohe.unitcodes import key_part, letter_stem


def results_dir(cycle_key: str, version: int) -> PurePosixPath:
    """``results/<cycle>/v<N>``, relative to ``KAOHE_HOME``."""
    return PurePosixPath("results", key_part(cycle_key), f"v{version}")


@dataclass(frozen=True)
class Aggregate:
    """Score the cycle and publish the next result version.

    ``sheet``: a score sheet (the units it lists are taken from it, the others from signed-off verified scores);
    ``previous``: last year's results file (default: the same scheme's cycle of the year before); ``reason``: why a
    published version is corrected (required then); ``rule``: the rectification rule (default: by the scheme);
    ``doc_number``/``doc_header``: 文号 and 发文机关标志 (default: ``KAOHE_DOCUMENT_NUMBER``/``_HEADER``);
    ``at``: the instant acted for (default: the clock's); ``forms``: (component, file) pairs whose form files
    (内蒙古 附件1 indicator table, 附件3 ballots — kaohe.scoring.form_files) fill in that component of the score
    sheet's rows, as ``kaohe score --form`` does (a score sheet is required then).
    """

    actor: Actor
    cycle: str
    sheet: Path | None = None
    previous: Path | None = None
    reason: str | None = None
    rule: str | None = None
    doc_number: str | None = None
    doc_header: str | None = None
    at: dt.datetime | None = None
    forms: tuple[FormFile, ...] = ()


@dataclass(frozen=True)
class Aggregated:
    """What the aggregation published (``unchanged``: the same report as the version in force, nothing published)."""

    cycle: str
    version: int
    unchanged: bool
    units: int
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """As ``kaohe results aggregate --json`` prints it."""
        return {"cycle": self.cycle, "version": self.version, "unchanged": self.unchanged, "units": self.units, **self.details}


def aggregate(context: AppContext, command: Aggregate) -> Aggregated:
    """Score the cycle, write its documents and publish them as the next version (see the module docstring).

    Re-running with inputs that give the same report publishes nothing (``unchanged``).
    """
    authorize(command.actor, Action.AGGREGATE, Scope(cycle=command.cycle))
    if command.at is not None and command.at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if command.rule is not None and command.rule not in RULES:
        raise InputError(f"未知的整改认定规则 {command.rule!r}（可选：{'、'.join(RULES)}）")
    sheet, previous, reason, by = command.sheet, command.previous, command.reason, command.actor.account
    if command.forms and sheet is None:
        raise InputError("由表单文件折算的分项（--form）填入评分表各行，须同时给出评分表（--input）")
    home = Path(context.settings.home)
    with context.unit_of_work(command.actor) as uow:
        as_of = command.at or uow.now
        session = uow.session
        cycle = get_cycle(session, command.cycle)
        spec = scheme_of(cycle).scoring_spec
        if spec is None:
            raise StateError(f"方案 {cycle.scheme_id} 未规定计分公式（scoring: null），不能自动汇总考核结果；请由考核组按办法综合评定")
        declared = scheme_of(cycle).forms
        forms = read_forms(spec, declared, command.forms) if command.forms else []
        sheet_rows, last = _read_files(spec, sheet, previous, merger(forms, str(sheet)))
        assessed = [facts_of(u) for u in cycle.units if u.role == "assessed"]
        children = children_results(session, cycle) if cycle.children else []
        from_children, origin = _child_rows(spec, assessed, sheet_rows, children)
        plan = plan_inputs(spec, assessed, verified_scores(session, cycle), sheet_rows + list(from_children.values()),
                           str(sheet) if sheet else None)
        plan.sources.update(dict.fromkeys(from_children, CHILD))
        earlier = None if previous is not None else previous_year(session, cycle)
        last = last if previous is not None else (earlier[1] if earlier else None)
        report = score(spec, plan.inputs, last, file=str(sheet) if sheet else None)
        if forms:
            report = replace(report, notes=report.notes + form_notes(forms) + entered_notes(spec, declared))
        current = latest_version(session, cycle)
        if current is not None and current.report == json.loads(report.to_json()):
            return Aggregated(cycle.key, current.version, True, len(report.results))
        if current is not None and not (reason or "").strip():
            raise StateError(f"周期 {cycle.key} 已发布第{current.version}版考核结果，本次汇总结果与之不同；"
                             f"更正须说明理由（--reason），更正后的结果另存为第{current.version + 1}版")
        chosen: RectifyRule = command.rule if command.rule is not None else default_rule(report)  # type: ignore[assignment]
        rectify = rectification_items(report, chosen)
        number = 1 if current is None else current.version + 1
        folder = results_dir(cycle.key, number)
        meta = meta_from_scheme(scheme_of(cycle), cycle.year, as_of.astimezone(BEIJING).date(),
                                number=command.doc_number or context.settings.document_number,
                                header=command.doc_header or context.settings.document_header)
        write_reports(report, home / folder, meta)
        uow.on_failure(lambda: shutil.rmtree(home / folder, ignore_errors=True))
        letters = {r.unit: str(folder / LETTERS_DIR / f"{letter_stem(r.unit, r.name)}.docx") for r in report.results}
        inputs = {"sources": plan.sources, "counts": {SOURCE_NAMES[k]: v for k, v in plan.counts().items()},
                  "score_sheet": _file_record(sheet), "previous_file": _file_record(previous),
                  "previous_cycle": earlier[0] if earlier else None, "rule_text": RULE_NAMES[chosen],
                  "children": provenance(children, origin)}
        if forms:
            inputs["forms"] = [{"component": f.component, **(_file_record(Path(f.file)) or {})} for f in forms]
        published = publish(session, cycle, report, rectify=rectify, rule=chosen, inputs=inputs, documents_dir=str(folder),
                            letters=letters, by=by, reason=reason, now=as_of)
        sync = sync_rectification(session, cycle, published.version, rectify, by=by, now=as_of)
        done = complete_owing(session, cycle, AGGREGATION_KIND, by=by, now=as_of)
        queued = notify_correction(session, cycle, published, sync, home, by=by, now=as_of)
        feedback_stage = stage_of_kind(cycle, FEEDBACK_KIND)
        waiting = feedback_stage is not None and feedback_stage.status != "pending" and published.version.feedback_sent_at is None
        return Aggregated(cycle.key, number, False, len(report.results), {
            "supersedes": published.superseded.version if published.superseded else None, "changed": sorted(published.changed),
            "grades": _grade_counts(report.results), "rule": chosen, "must_rectify": sorted(rectify),
            "rectification": sync.to_json(), "documents": str(home / folder), "sources": inputs["counts"],
            "completed": done, "correction_messages": queued, "feedback_waiting": waiting,
        })


@dataclass(frozen=True)
class SendFeedback:
    """Send the result version in force to the units (once per version, once approved and past the 公示 period)."""

    actor: Actor
    cycle: str
    at: dt.datetime | None = None


@dataclass(frozen=True)
class FeedbackSent:
    """Whether the results went out (queued), and if not, why."""

    cycle: str
    sent: bool
    version: int | None = None
    messages: int = 0
    rectifying: tuple[str, ...] = ()
    reason: str | None = None
    blocked: bool = False
    """Refused because an approval step or the 公示 period is outstanding (not: nothing new to send)."""

    def to_json(self) -> dict[str, Any]:
        """As ``kaohe results feedback --json`` prints it."""
        payload: dict[str, Any] = {"cycle": self.cycle, "sent": self.sent}
        if self.version is not None:
            payload["version"] = self.version
        if self.sent:
            payload.update(messages=self.messages, rectifying=list(self.rectifying))
        else:
            payload["reason"] = self.reason
        return payload


def send_feedback(context: AppContext, command: SendFeedback) -> FeedbackSent:
    """Queue the results (and the rectification notices) for every unit; audited. Not sent (with the reason) before
    any result, when this version was sent already, or while an approval step or the 公示 period is outstanding."""
    authorize(command.actor, Action.SEND_FEEDBACK, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        outcome: dict[str, Any] = queue_feedback(uow.session, cycle, Path(context.settings.home), by=command.actor.account,
                                                 now=command.at or uow.now, calendar=context.calendar)
        return FeedbackSent(cycle.key, bool(outcome["sent"]), outcome.get("version"), int(outcome.get("messages", 0)),
                            tuple(outcome.get("rectifying", ())), outcome.get("reason"), bool(outcome.get("blocked")))


def _child_rows(spec: ScoringSpec, assessed: list[UnitFacts], sheet_rows: list[UnitInput], children: list[ChildResults]
                ) -> tuple[dict[str, UnitInput], dict[str, ChildResults]]:
    """Inputs that child cycles' published results give for units the score sheet does not list (kaohe.cascade.upward)."""
    if not children:
        return {}, {}
    groups = {}
    for unit in assessed:
        group = group_of(spec, unit)
        if not isinstance(group, Problem):
            groups[unit.code] = group
    return child_inputs(children, groups, [row.unit for row in sheet_rows])


def _read_files(spec: ScoringSpec, sheet: Path | None, previous: Path | None, merge: Merge | None
                ) -> tuple[list[UnitInput], list[PreviousResult] | None]:
    problems: list[Problem] = []
    rows: list[UnitInput] = []
    last: list[PreviousResult] | None = None
    try:
        rows = read_score_sheet(sheet, spec, merge=merge) if sheet is not None else []
    except ScoreSheetError as error:
        problems += error.problems
    try:
        last = read_previous(previous, spec) if previous is not None else None
    except ScoreSheetError as error:
        problems += error.problems
    if problems:
        raise ScoreSheetError(problems)
    return rows, last


def _file_record(path: Path | None) -> dict[str, object] | None:
    if path is None:
        return None
    digest, size = hash_file(path, "输入文件")
    return {"path": str(path), "sha256": digest, "size": size}


def _grade_counts(results: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for result in results:
        if result.grade is not None:
            counts[result.grade] = counts.get(result.grade, 0) + 1
    return counts


