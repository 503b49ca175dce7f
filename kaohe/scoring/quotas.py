"""Places by rank: grade quotas (优秀 at most N per group) and selections (advanced, bottom, recommended)."""

from __future__ import annotations

from dataclasses import dataclass

from kaohe.scoring.numbers import COUNT_ROUNDING_NAMES, exact_text, fraction_text
from kaohe.scoring.result import Decision, UnitResult
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


def apply_grade_quota(quota: GradeQuota, ranked: list[UnitResult], size: int) -> None:
    """Keep ``quota.grade`` for the best-ranked units within the places; give the others the lower grade
    (the reason of each is worded when read)."""
    first = ranked[0]
    rule = quota.per_kind.get(first.kind)
    if rule is None:
        return
    places = rule.places(size)
    how = places_text(rule, size, first.kind_name)
    kept = 0
    for result in ranked:
        if result.grade != quota.grade:
            continue
        if kept < places:
            kept += 1
            result._quota = (_quota_kept, quota, kept, places, how)
        else:
            result.grade = quota.over_quota_grade
            result._quota = (_quota_full, quota, places, how)


def _quota_kept(result: UnitResult, quota: GradeQuota, kept: int, places: int, how: str) -> str:
    return f"组内第{result.rank}名，是本组第{kept}个“{quota.grade}”，在名额{places}个以内（{how}），保持“{quota.grade}”"


def _quota_full(result: UnitResult, quota: GradeQuota, places: int, how: str) -> str:
    return (
        f"组内第{result.rank}名，本组“{quota.grade}”名额{places}个（{how}）已满，"
        f"由“{quota.grade}”调整为“{quota.over_quota_grade}”"
    )


@dataclass(frozen=True)
class Place:
    """A selection as applied to one group (or to all units): its places and how they were counted."""

    selection: Selection
    places: int
    how: str
    scope_label: str
    side: str
    flag_names: dict[str, str]


def apply_selection(
    spec: ScoringSpec, selection: Selection, ordered: list[UnitResult], size: int, scope_label: str
) -> None:
    """Give every unit of ``ordered`` (best first) its decision for ``selection`` (worded when read)."""
    first = ordered[0]
    rule = selection.rule_for(first.kind)
    if rule is None:
        return
    places = rule.places(size)
    how = places_text(rule, size, first.kind_name if selection.scope == "group" else "")
    sequence = ordered if selection.direction == "top" else list(reversed(ordered))
    side = "第" if selection.direction == "top" else "倒数第"
    place = Place(selection, places, how, scope_label, side, {f.id: f.name for f in spec.input_flags})
    eligible = None if selection.eligible_grades is None else set(selection.eligible_grades)
    excluded = selection.exclude_flags
    refill = selection.refill
    taken = 0
    for position, result in enumerate(sequence, start=1):
        blocked = (eligible is not None and result.grade not in eligible) or (
            bool(excluded) and any(f in result.flags for f in excluded)
        )
        within = taken < places if refill else position <= places
        chosen = not blocked and within
        if chosen:
            taken += 1
        result._picks.append((place, position, chosen))


def decision_of(result: UnitResult, place: Place, position: int, chosen: bool) -> Decision:
    """The unit's decision under ``place``, with its reason in words."""
    selection = place.selection
    where = f"{place.scope_label}{place.side}{position}名"
    if chosen:
        return Decision(selection.id, selection.name, True, f"{where}，名额{place.places}个（{place.how}），列入“{selection.name}”")
    blocked = _ineligible(selection, result, place.flag_names)
    if blocked is not None:
        return Decision(selection.id, selection.name, False, f"{where}；{blocked}")
    return Decision(selection.id, selection.name, False, f"{where}，名额{place.places}个（{place.how}）已满，未列入“{selection.name}”")


def _ineligible(selection: Selection, result: UnitResult, flag_names: dict[str, str]) -> str | None:
    if selection.eligible_grades is not None and result.grade not in selection.eligible_grades:
        allowed = "、".join(selection.eligible_grades)
        return f"等次为“{result.grade}”，只有“{allowed}”可列入“{selection.name}”"
    blocking = [flag_names[f] for f in selection.exclude_flags if f in result.flags]
    if blocking:
        return f"存在“{'、'.join(blocking)}”，不能列入“{selection.name}”"
    return None
