"""The pure scoring engine: inputs and last year's outcome in, a self-explaining ScoreReport out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

from kaohe.bulk import gc_paused
from kaohe.errors import Problem, ScoreSheetError
from kaohe.scoring.formula import EXACT, unit_totals
from kaohe.scoring.grading import GapError, grade_of
from kaohe.scoring.inputs import PreviousResult, UnitSource
from kaohe.scoring.numbers import ROUNDING_NAMES
from kaohe.scoring.quotas import apply_grade_quota, apply_selection, places_text
from kaohe.scoring.ranking import key_function, key_label
from kaohe.scoring.result import GroupSummary, MultiYearFlag, ScoreReport, UnitResult
from kaohe.scoring.spec import GAP_POLICY_NAMES, ScoringSpec
from kaohe.scoring.validation import Prepared, check_previous, prepare


def score(
    spec: ScoringSpec,
    inputs: Sequence[UnitSource],
    previous: list[PreviousResult] | None = None,
    *,
    file: str | None = None,
    previous_file: str | None = None,
) -> ScoreReport:
    """Score every unit; raise ScoreSheetError listing every bad row, or return the whole report."""
    with gc_paused():
        prepared, problems = prepare(spec, inputs, file)
        return score_prepared(spec, inputs, prepared, problems, previous, file=file, previous_file=previous_file)


def score_prepared(
    spec: ScoringSpec,
    inputs: Sequence[UnitSource],
    prepared: list[Prepared],
    problems: list[Problem],
    previous: list[PreviousResult] | None = None,
    *,
    file: str | None = None,
    previous_file: str | None = None,
) -> ScoreReport:
    """``score`` for inputs already through ``prepare`` (its prepared units and problems), so a sheet
    reader that validated them does not validate them again.

    Each unit's total and ranking key are computed once (exact decimals where no weight was
    reallocated, fractions otherwise); grades, ranks, quotas and selections are then set on the
    unit's one result object, and the words explaining them are built only when read.
    """
    problems = list(problems)
    if previous is not None:
        problems += check_previous(spec, previous, previous_file)
    if not inputs:
        problems.append(Problem("没有任何被考核单位", file=file))
    if problems:
        raise ScoreSheetError(problems)
    results = _results(spec, prepared)
    _grade(spec, results, file)
    groups = _group_order(spec, prepared)
    order = _Order.of(results)
    summaries = _rank(spec, groups, order)
    notes = _grade_quotas(spec, groups, summaries, order)
    _selections(spec, groups, summaries, order)
    _multi_year(spec, results, previous)
    final = tuple(r for g in groups for r in order.groups[g])
    return ScoreReport(
        scheme=spec.scheme,
        precision=spec.precision,
        display_precision=spec.display_precision,
        results=final,
        groups=tuple(summaries[g] for g in groups),
        settings_used=settings_used(spec, previous is not None),
        grade_names=tuple(spec.grades.names()) if spec.grades else (),
        selection_names={s.id: s.name for s in spec.selections},
        flag_names={f.id: f.name for f in spec.input_flags},
        notes=tuple(notes),
        negative_selections=frozenset(s.id for s in spec.selections if s.negative),
    )


def _results(spec: ScoringSpec, prepared: list[Prepared]) -> list[UnitResult]:
    totals = unit_totals(spec, prepared)
    flag_ids = [f.id for f in spec.input_flags]
    results: list[UnitResult] = []
    key_of = key_function(spec)
    with localcontext(EXACT):
        for unit, (total, contributions, explanation) in zip(prepared, totals):
            key = key_of(unit.formula, unit.source.unit, total, contributions)
            flags = tuple(f for f in flag_ids if f in unit.flags) if unit.flags else ()
            results.append(UnitResult(spec, unit, total, key, flags, explanation))
    return results


def settings_used(spec: ScoringSpec, previous_given: bool) -> dict[str, Any]:
    """Every setting that shaped the result, in plain data, with the choices the source left open."""
    data = spec.model_dump(mode="json", by_alias=True, exclude={"scheme"})
    data["rounding_rule"] = (
        f"分项得分按精确值（分数）计算和累计，不做中间舍入；总分一次性保留{spec.precision}位小数"
        f"（{ROUNDING_NAMES[spec.rounding]}）；等次、排名、名额均依据保留后的总分；"
        f"分项贡献显示{spec.display_precision}位小数，仅供阅读"
    )
    data["tie_break_text"] = [key_label(spec, k) for k in spec.ranking.tie_break]
    if spec.grades is not None:
        data["grades"]["gap_policy_text"] = GAP_POLICY_NAMES[spec.grades.gap_policy]
    data["previous_year_given"] = previous_given
    return data


def _grade(spec: ScoringSpec, results: list[UnitResult], file: str | None) -> None:
    if spec.grades is None:
        return
    problems: list[Problem] = []
    known: dict[Decimal, tuple[str, str]] = {}
    for result in results:
        graded = known.get(result.total)
        if graded is None:
            try:
                graded = known[result.total] = grade_of(result.total, spec.grades)
            except GapError as error:
                problems.append(Problem(str(error), file=file, row=result._prepared.source.row, field="总分"))
                continue
        result.grade_before_quota = result.grade = graded[0]
        result.grade_reason = graded[1]
    if problems:
        raise ScoreSheetError(problems)


def _group_order(spec: ScoringSpec, prepared: list[Prepared]) -> list[str]:
    kinds = [k.id for k in spec.groups.kinds]
    fixed = [g.id for g in spec.groups.fixed]
    seen: dict[str, tuple[int, int, str]] = {}
    for unit in prepared:
        if unit.group_id in seen:
            continue
        position = fixed.index(unit.group_id) if unit.group_id in fixed else len(fixed)
        seen[unit.group_id] = (kinds.index(unit.kind.id), position, unit.group_name)
    return sorted(seen, key=lambda g: seen[g])


@dataclass(frozen=True)
class _Order:
    """The units of each group and of the whole report in rank order, by the key computed once per
    unit (quotas and selections change grades and decisions, never the order)."""

    groups: dict[str, list[UnitResult]]
    everyone: list[UnitResult]

    @classmethod
    def of(cls, results: list[UnitResult]) -> _Order:
        everyone = sorted(results, key=lambda r: r.key)
        members: dict[str, list[UnitResult]] = {}
        for result in everyone:
            members.setdefault(result.group, []).append(result)
        return cls(members, everyone)


def _rank(spec: ScoringSpec, groups: list[str], order: _Order) -> dict[str, GroupSummary]:
    summaries: dict[str, GroupSummary] = {}
    if spec.ranking.overall:
        for rank, result in enumerate(order.everyone, start=1):
            result.overall_rank = rank
    for group_id in groups:
        ranked = order.groups[group_id]
        size = len(ranked)
        for rank, result in enumerate(ranked, start=1):
            result.rank = rank
            result.group_size = size
            result._ranked = ranked
        first = ranked[0]
        summaries[group_id] = GroupSummary(group_id, first.group_name, first.kind, first.kind_name, size)
    return summaries


def _grade_quotas(spec: ScoringSpec, groups: list[str], summaries: dict[str, GroupSummary], order: _Order) -> list[str]:
    notes: list[str] = []
    for quota in spec.grade_quotas:
        for group_id in groups:
            ranked = order.groups[group_id]
            rule = quota.per_kind.get(ranked[0].kind)
            if rule is None:
                continue
            how = places_text(rule, len(ranked), ranked[0].kind_name)
            summaries[group_id].places[f"grade:{quota.grade}"] = how
            apply_grade_quota(quota, ranked, len(ranked))
            if rule.places(len(ranked)) == 0 and any(r.grade_before_quota == quota.grade for r in ranked):
                notes.append(
                    f"“{ranked[0].group_name}”组“{quota.grade}”名额为0（{how}），"
                    f"达到“{quota.grade}”分数的单位均调整为“{quota.over_quota_grade}”"
                )
    return notes


def _selections(spec: ScoringSpec, groups: list[str], summaries: dict[str, GroupSummary], order: _Order) -> None:
    for selection in spec.selections:
        if selection.scope == "all":
            apply_selection(spec, selection, order.everyone, len(order.everyone), "全部单位中")
            continue
        for group_id in groups:
            ranked = order.groups[group_id]
            rule = selection.rule_for(ranked[0].kind)
            if rule is None:
                continue
            summaries[group_id].places[selection.id] = places_text(rule, len(ranked), ranked[0].kind_name)
            apply_selection(spec, selection, ranked, len(ranked), "组内")


def _multi_year(spec: ScoringSpec, results: list[UnitResult], previous: list[PreviousResult] | None) -> None:
    if not spec.multi_year:
        return
    last = {p.unit: p for p in previous} if previous is not None else None
    for result in results:
        unit = result.unit
        flags: list[MultiYearFlag] = []
        for rule in spec.multi_year:
            now = result.picked(rule.selection)
            if now is None:
                continue
            name = spec.selection(rule.selection).name
            if last is None:
                flags.append(MultiYearFlag(rule.id, rule.name, rule.selection, None, "未提供上年考核结果，未评估"))
                continue
            record = last.get(unit)
            if record is None:
                flags.append(MultiYearFlag(rule.id, rule.name, rule.selection, False, f"上年结果中没有该单位，不能认定连续两年“{name}”"))
                continue
            before = rule.selection in record.selections
            reason = f"本年{'' if now else '未'}列入“{name}”，上年{'' if before else '未'}列入“{name}”"
            if now and before:
                reason += f"：连续两年，{rule.name}"
            flags.append(MultiYearFlag(rule.id, rule.name, rule.selection, now and before, reason))
        result.multi_year = tuple(flags)
