"""Places by rank: grade quotas (优秀 at most N per group) and selections (advanced, bottom, recommended)."""

from __future__ import annotations

from kaohe.scoring.numbers import COUNT_ROUNDING_NAMES, exact_text, fraction_text
from kaohe.scoring.result import Decision, UnitResult, evolve
from kaohe.scoring.spec import CountRule, GradeQuota, ScoringSpec, Selection


def places_text(rule: CountRule, size: int, kind_name: str) -> str:
    """How the places were counted, e.g. ``21 × 1/3 = 7，向下取整为 7``."""
    places = rule.places(size)
    if rule.count is not None:
        return f"{kind_name}{rule.count}个"
    assert rule.fraction is not None
    product = rule.fraction * size
    return (
        f"{size}个 × {fraction_text(rule.fraction)} = {exact_text(product)}，"
        f"{COUNT_ROUNDING_NAMES[rule.rounding]}为{places}个"
    )


def apply_grade_quota(quota: GradeQuota, ranked: list[UnitResult], size: int) -> list[UnitResult]:
    """Keep ``quota.grade`` for the best-ranked units within the places; give the others the lower grade."""
    first = ranked[0]
    rule = quota.per_kind.get(first.kind)
    if rule is None:
        return ranked
    places = rule.places(size)
    how = places_text(rule, size, first.kind_name)
    kept = 0
    updated: list[UnitResult] = []
    for result in ranked:
        if result.grade != quota.grade:
            updated.append(result)
            continue
        if kept < places:
            kept += 1
            reason = f"组内第{result.rank}名，是本组第{kept}个“{quota.grade}”，在名额{places}个以内（{how}），保持“{quota.grade}”"
            updated.append(evolve(result, quota_reason=reason))
        else:
            reason = (
                f"组内第{result.rank}名，本组“{quota.grade}”名额{places}个（{how}）已满，"
                f"由“{quota.grade}”调整为“{quota.over_quota_grade}”"
            )
            updated.append(evolve(result, grade=quota.over_quota_grade, quota_reason=reason))
    return updated


def apply_selection(
    spec: ScoringSpec, selection: Selection, ordered: list[UnitResult], size: int, scope_label: str
) -> list[UnitResult]:
    """Give every unit of ``ordered`` (best first) its decision for ``selection``."""
    first = ordered[0]
    rule = selection.rule_for(first.kind)
    if rule is None:
        return ordered
    places = rule.places(size)
    how = places_text(rule, size, first.kind_name if selection.scope == "group" else "")
    sequence = ordered if selection.direction == "top" else list(reversed(ordered))
    side = "第" if selection.direction == "top" else "倒数第"
    flag_names = {f.id: f.name for f in spec.input_flags}
    taken = 0
    decided: dict[str, Decision] = {}
    for position, result in enumerate(sequence, start=1):
        where = f"{scope_label}{side}{position}名"
        blocked = _ineligible(selection, result, flag_names)
        within = taken < places if selection.refill else position <= places
        if blocked is None and within:
            taken += 1
            reason = f"{where}，名额{places}个（{how}），列入“{selection.name}”"
            decided[result.unit] = Decision(selection.id, selection.name, True, reason)
        elif blocked is not None:
            decided[result.unit] = Decision(selection.id, selection.name, False, f"{where}；{blocked}")
        else:
            reason = f"{where}，名额{places}个（{how}）已满，未列入“{selection.name}”"
            decided[result.unit] = Decision(selection.id, selection.name, False, reason)
    return [evolve(r, decisions=r.decisions + (decided[r.unit],)) for r in ordered]


def _ineligible(selection: Selection, result: UnitResult, flag_names: dict[str, str]) -> str | None:
    if selection.eligible_grades is not None and result.grade not in selection.eligible_grades:
        allowed = "、".join(selection.eligible_grades)
        return f"等次为“{result.grade}”，只有“{allowed}”可列入“{selection.name}”"
    blocking = [flag_names[f] for f in selection.exclude_flags if f in result.flags]
    if blocking:
        return f"存在“{'、'.join(blocking)}”，不能列入“{selection.name}”"
    return None
