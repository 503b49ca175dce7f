"""Results out, as plain functions (used by the CLI) and thin Prefect tasks (used by the flows).

Aggregation: the inputs (score sheet rows where given, else signed-off verified scores — see
``kaohe.results.inputs``) are scored with ``kaohe.scoring``, the documents are written under
``settings.home/results/<cycle>/v<N>/``, the ScoreReport is stored as version N, rectification
obligations follow the version, and the office's aggregation obligation is completed — all in one
transaction (documents are rendered completely before any file is replaced).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path, PurePosixPath
from typing import Any

from prefect import task

from kaohe.cascade.collect import children_results
from kaohe.cascade.upward import ChildResults, child_inputs, provenance
from kaohe.clock import BEIJING
from kaohe.db import ensure_schema, session_scope
from kaohe.errors import InputError, KaoheError, Problem, ScoreSheetError, StateError
from kaohe.inputfiles import hash_file
from kaohe.reports import meta_from_scheme, write_reports
from kaohe.reports.writer import LETTERS_DIR
from kaohe.results.facts import UnitFacts, facts_of, group_of
from kaohe.results.inputs import CHILD, SOURCE_NAMES, plan_inputs
from kaohe.results.rectify import (
    RULE_NAMES,
    RULES,
    RectifyRule,
    default_rule,
    rectification_items,
)
from kaohe.scoring import (
    PreviousResult,
    ScoringSpec,
    UnitInput,
    read_previous,
    read_score_sheet,
    score,
)
from kaohe.settings import get_settings
from kaohe.store.advance import scheme_of
from kaohe.store.audit import record
from kaohe.store.cycles import get_cycle
from kaohe.store.results import (
    AGGREGATION_KIND,
    FEEDBACK_KIND,
    complete_owing,
    latest_version,
    notify_correction,
    previous_year,
    publish,
    send_feedback,
    stage_of_kind,
    sync_rectification,
    verified_scores,
)
from kaohe.unitcodes import key_part, letter_stem
from kaohe.workdays import WorkdayCalendar, load_calendar


def results_dir(cycle_key: str, version: int) -> PurePosixPath:
    """``results/<cycle>/v<N>``, relative to ``settings.home``."""
    return PurePosixPath("results", key_part(cycle_key), f"v{version}")


def aggregate(url: str, home: Path, cycle_key: str, as_of: dt.datetime, *, sheet: Path | None = None,
              previous: Path | None = None, reason: str | None = None, by: str = "coordinator",
              rule: str | None = None, doc_number: str | None = None, doc_header: str | None = None) -> dict[str, Any]:
    """Score the cycle, write its documents and publish them as the next version (see the module docstring).

    ``doc_number`` (文号, ``{year}`` → the issue year) and ``doc_header`` (发文机关标志) head every document.

    Re-running with inputs that give the same report publishes nothing (``unchanged``).
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    if rule is not None and rule not in RULES:
        raise InputError(f"未知的整改认定规则 {rule!r}（可选：{'、'.join(RULES)}）")
    ensure_schema(url)
    written: list[Path] = []
    try:
        with session_scope(url) as session:
            cycle = get_cycle(session, cycle_key)
            spec = scheme_of(cycle).scoring_spec
            if spec is None:
                raise StateError(f"方案 {cycle.scheme_id} 未规定计分公式（scoring: null），不能自动汇总考核结果；请由考核组按办法综合评定")
            sheet_rows, last = _read_files(spec, sheet, previous)
            assessed = [facts_of(u) for u in cycle.units if u.role == "assessed"]
            children = children_results(session, cycle) if cycle.children else []
            from_children, origin = _child_rows(spec, assessed, sheet_rows, children)
            plan = plan_inputs(spec, assessed, verified_scores(session, cycle), sheet_rows + list(from_children.values()),
                               str(sheet) if sheet else None)
            plan.sources.update(dict.fromkeys(from_children, CHILD))
            earlier = None if previous is not None else previous_year(session, cycle)
            last = last if previous is not None else (earlier[1] if earlier else None)
            report = score(spec, plan.inputs, last, file=str(sheet) if sheet else None)
            current = latest_version(session, cycle)
            if current is not None and current.report == json.loads(report.to_json()):
                return {"cycle": cycle.key, "version": current.version, "unchanged": True, "units": len(report.results)}
            if current is not None and not (reason or "").strip():
                raise StateError(f"周期 {cycle.key} 已发布第{current.version}版考核结果，本次汇总结果与之不同；"
                                 f"更正须说明理由（--reason），更正后的结果另存为第{current.version + 1}版")
            chosen: RectifyRule = rule if rule is not None else default_rule(report)  # type: ignore[assignment]
            rectify = rectification_items(report, chosen)
            number = 1 if current is None else current.version + 1
            folder = results_dir(cycle.key, number)
            meta = meta_from_scheme(scheme_of(cycle), cycle.year, as_of.astimezone(BEIJING).date(), number=doc_number,
                                    header=doc_header)
            write_reports(report, home / folder, meta)
            written.append(home / folder)
            letters = {r.unit: str(folder / LETTERS_DIR / f"{letter_stem(r.unit, r.name)}.docx") for r in report.results}
            inputs = {"sources": plan.sources, "counts": {SOURCE_NAMES[k]: v for k, v in plan.counts().items()},
                      "score_sheet": _file_record(sheet), "previous_file": _file_record(previous),
                      "previous_cycle": earlier[0] if earlier else None, "rule_text": RULE_NAMES[chosen],
                      "children": provenance(children, origin)}
            published = publish(session, cycle, report, rectify=rectify, rule=chosen, inputs=inputs, documents_dir=str(folder),
                                letters=letters, by=by, reason=reason, now=as_of)
            sync = sync_rectification(session, cycle, published.version, rectify, by=by, now=as_of)
            done = complete_owing(session, cycle, AGGREGATION_KIND, by=by, now=as_of)
            queued = notify_correction(session, cycle, published, sync, home, by=by, now=as_of)
            feedback_stage = stage_of_kind(cycle, FEEDBACK_KIND)
            waiting = feedback_stage is not None and feedback_stage.status != "pending" and published.version.feedback_sent_at is None
            return {
                "cycle": cycle.key, "version": number, "unchanged": False, "units": len(report.results),
                "supersedes": published.superseded.version if published.superseded else None, "changed": sorted(published.changed),
                "grades": _grade_counts(report.results), "rule": chosen, "must_rectify": sorted(rectify),
                "rectification": sync.to_json(), "documents": str(home / folder), "sources": inputs["counts"],
                "completed": done, "correction_messages": queued, "feedback_waiting": waiting,
            }
    except BaseException:
        for path in written:
            shutil.rmtree(path, ignore_errors=True)
        raise


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


def _read_files(spec: ScoringSpec, sheet: Path | None, previous: Path | None) -> tuple[list[UnitInput], list[PreviousResult] | None]:
    problems: list[Problem] = []
    rows: list[UnitInput] = []
    last: list[PreviousResult] | None = None
    try:
        rows = read_score_sheet(sheet, spec) if sheet is not None else []
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


def feedback(url: str, home: Path, cycle_key: str, as_of: dt.datetime, *, by: str = "coordinator",
             calendar: WorkdayCalendar | None = None) -> dict[str, Any]:
    """Send the results in force to the units (once per version, once approved and past the 公示 period)."""
    ensure_schema(url)
    with session_scope(url) as session:
        return {"cycle": cycle_key, **send_feedback(session, get_cycle(session, cycle_key), home, by=by, now=as_of,
                                                    calendar=calendar or load_calendar())}


def triggers(url: str, cycle_key: str, opened: list[str], closed: list[str]) -> dict[str, Any]:
    """What an advance means for results: an aggregation stage closed, a feedback stage opened, and the state."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        kinds = {s.key: s.kind for s in cycle.stages}
        feedback_stage = stage_of_kind(cycle, FEEDBACK_KIND)
        version = latest_version(session, cycle)
        return {
            "aggregation_closed": any(kinds.get(k) == AGGREGATION_KIND for k in closed),
            "feedback_opened": any(kinds.get(k) == FEEDBACK_KIND for k in opened),
            "feedback_started": feedback_stage is not None and feedback_stage.status != "pending",
            "version": version.version if version else None,
            "has_formula": cycle.scheme_snapshot.get("scoring") is not None,
        }


def problem_lines(error: KaoheError) -> list[str]:
    """Every problem of ``error``, one line each."""
    return error.details() if isinstance(error, InputError) else [str(error)]


def record_failure(url: str, cycle_key: str, action: str, error_type: str, problems: list[str], at: dt.datetime) -> None:
    """Put a failed automatic step in the audit log with every problem, for the office to act on."""
    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        record(session, actor="flow:advance-cycle", action=action, cycle_id=cycle.id, subject=cycle_key, at=at,
               detail={"error": error_type, "problems": problems})


@task(name="aggregate-results")
def aggregate_results(cycle_key: str, as_of: dt.datetime, sheet: str | None = None, previous: str | None = None,
                      reason: str | None = None, by: str = "flow:aggregate-cycle") -> dict[str, Any]:
    """``aggregate`` with the settings in force."""
    settings = get_settings()
    return aggregate(settings.effective_database_url, settings.home, cycle_key, as_of, sheet=Path(sheet) if sheet else None,
                     previous=Path(previous) if previous else None, reason=reason, by=by,
                     doc_number=settings.document_number, doc_header=settings.document_header)


@task(name="send-feedback-messages")
def send_feedback_messages(cycle_key: str, as_of: dt.datetime, by: str = "flow:send-feedback") -> dict[str, Any]:
    """``feedback`` with the settings in force."""
    settings = get_settings()
    return feedback(settings.effective_database_url, settings.home, cycle_key, as_of, by=by,
                    calendar=load_calendar(settings.holidays_file))


@task(name="results-triggers")
def results_triggers(cycle_key: str, opened: list[str], closed: list[str]) -> dict[str, Any]:
    """``triggers`` with the settings in force."""
    return triggers(get_settings().effective_database_url, cycle_key, opened, closed)


@task(name="record-results-failure")
def record_results_failure(cycle_key: str, action: str, error_type: str, problems: list[str], at: dt.datetime) -> None:
    """``record_failure`` with the settings in force."""
    record_failure(get_settings().effective_database_url, cycle_key, action, error_type, problems, at)
