"""Ordering units: published total first, then the scheme's tie-break keys, last the unit code."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from kaohe.scoring.numbers import exact_text
from kaohe.scoring.result import UnitResult
from kaohe.scoring.spec import ScoringSpec


def key_label(spec: ScoringSpec, key: str) -> str:
    """A tie-break key in words."""
    if key == "total":
        return f"总分（保留{spec.precision}位小数后）高者在前"
    if key == "first_component":
        return "计分公式第一个分项的得分贡献高者在前"
    if key == "unit":
        return "单位代码按字符顺序在前者在前"
    if key.startswith("component:"):
        component_id = key.removeprefix("component:")
        name = next(c.name for f in spec.formulas for c in f.components if c.id == component_id)
        return f"“{name}”得分贡献高者在前"
    return f"“{key.removeprefix('category:')}”类得分贡献合计高者在前"


def _value(result: UnitResult, key: str) -> Fraction | str:
    if key == "total":
        return Fraction(result.total)
    if key == "unit":
        return result.unit
    if key == "first_component":
        return result.components[0].contribution
    if key.startswith("component:"):
        component_id = key.removeprefix("component:")
        return next((c.contribution for c in result.components if c.id == component_id), Fraction(0))
    category = key.removeprefix("category:")
    return sum((c.contribution for c in result.components if c.category == category), Fraction(0))


def sort_key(spec: ScoringSpec, result: UnitResult) -> tuple[object, ...]:
    """Sort key: descending on every score key, ascending on the unit code."""
    parts: list[object] = []
    for key in spec.ranking.tie_break:
        value = result.total if key == "total" else _value(result, key)
        parts.append(value if isinstance(value, str) else -value)
    return tuple(parts)


def ordered(spec: ScoringSpec, results: Sequence[UnitResult]) -> list[UnitResult]:
    """``results`` best first."""
    return sorted(results, key=lambda r: sort_key(spec, r))


def tie_notes(spec: ScoringSpec, ranked: Sequence[UnitResult]) -> dict[str, list[str]]:
    """For units with the same published total, which key put them in their order."""
    notes: dict[str, list[str]] = {}
    for ahead, behind in zip(ranked, ranked[1:]):
        if ahead.total != behind.total:
            continue
        for key in spec.ranking.tie_break[1:]:
            a, b = _value(ahead, key), _value(behind, key)
            if a == b:
                continue
            shown_a = a if isinstance(a, str) else exact_text(a)
            shown_b = b if isinstance(b, str) else exact_text(b)
            rule = key_label(spec, key)
            notes.setdefault(ahead.unit, []).append(
                f"与 {behind.unit}（{behind.name}）总分同为 {ahead.total}，依并列规则（{rule}）排在其前（{shown_a} 对 {shown_b}）"
            )
            notes.setdefault(behind.unit, []).append(
                f"与 {ahead.unit}（{ahead.name}）总分同为 {ahead.total}，依并列规则（{rule}）排在其后（{shown_b} 对 {shown_a}）"
            )
            break
    return notes
