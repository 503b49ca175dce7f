"""Ordering units: published total first, then the scheme's tie-break keys, last the unit code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from fractions import Fraction

from kaohe.scoring.numbers import exact_text
from kaohe.scoring.result import UnitResult
from kaohe.scoring.spec import Formula, ScoringSpec


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


def sort_key(spec: ScoringSpec, formula: Formula, code: str, total: Decimal,
             contributions: Sequence[Decimal | Fraction]) -> tuple[object, ...]:
    """Sort key: descending on every score key, ascending on the unit code (computed once per unit;
    call it within ``formula.EXACT`` when the contributions are decimals, so sums stay exact)."""
    parts: list[object] = []
    for key in spec.ranking.tie_break:
        if key == "total":
            parts.append(total.copy_negate())
        elif key == "unit":
            parts.append(code)
        else:
            parts.append(_negated(_contribution(formula, contributions, key)))
    return tuple(parts)


def key_function(spec: ScoringSpec) -> Callable[[Formula, str, Decimal, Sequence[Decimal | Fraction]], tuple[object, ...]]:
    """``sort_key`` for this scheme, with the usual ``total, first_component, unit`` order done without
    looking the keys up for every unit."""
    if spec.ranking.tie_break == ["total", "first_component", "unit"]:
        def usual(formula: Formula, code: str, total: Decimal, contributions: Sequence[Decimal | Fraction]) -> tuple[object, ...]:
            first = contributions[0]
            return total.copy_negate(), first.copy_negate() if first.__class__ is Decimal else -first, code

        return usual
    return lambda formula, code, total, contributions: sort_key(spec, formula, code, total, contributions)


def _contribution(formula: Formula, contributions: Sequence[Decimal | Fraction], key: str) -> Decimal | Fraction | int:
    if key == "first_component":
        return contributions[0]
    if key.startswith("component:"):
        component_id = key.removeprefix("component:")
        return next((v for c, v in zip(formula.components, contributions) if c.id == component_id), 0)
    category = key.removeprefix("category:")
    return sum(v for c, v in zip(formula.components, contributions) if c.category == category)


def _negated(value: Decimal | Fraction | int) -> Decimal | Fraction | int:
    return value.copy_negate() if isinstance(value, Decimal) else -value


def _value(result: UnitResult, position: int) -> Fraction | str:
    part = result.key[position]
    if isinstance(part, str):
        return part
    return Fraction(_negated(part))


def ordered(spec: ScoringSpec, results: Sequence[UnitResult]) -> list[UnitResult]:
    """``results`` best first."""
    return sorted(results, key=lambda r: r.key)


def neighbour_notes(spec: ScoringSpec, ranked: Sequence[UnitResult], index: int) -> list[str]:
    """The tie notes of ``ranked[index]``: beside the unit before it, then the unit after it."""
    notes: list[str] = []
    if index > 0:
        _pair_note(spec, ranked[index - 1], ranked[index], notes, behind_side=True)
    if index + 1 < len(ranked):
        _pair_note(spec, ranked[index], ranked[index + 1], notes, behind_side=False)
    return notes


def tie_notes(spec: ScoringSpec, ranked: Sequence[UnitResult]) -> dict[str, list[str]]:
    """For units with the same published total, which key put them in their order."""
    notes: dict[str, list[str]] = {}
    for index, result in enumerate(ranked):
        found = neighbour_notes(spec, ranked, index)
        if found:
            notes[result.unit] = found
    return notes


def _pair_note(spec: ScoringSpec, ahead: UnitResult, behind: UnitResult, notes: list[str], *, behind_side: bool) -> None:
    if ahead.total != behind.total:
        return
    for position, key in enumerate(spec.ranking.tie_break[1:], start=1):
        a, b = _value(ahead, position), _value(behind, position)
        if a == b:
            continue
        shown_a = a if isinstance(a, str) else exact_text(a)
        shown_b = b if isinstance(b, str) else exact_text(b)
        rule = key_label(spec, key)
        if behind_side:
            notes.append(f"与 {ahead.unit}（{ahead.name}）总分同为 {ahead.total}，依并列规则（{rule}）排在其后（{shown_b} 对 {shown_a}）")
        else:
            notes.append(f"与 {behind.unit}（{behind.name}）总分同为 {ahead.total}，依并列规则（{rule}）排在其前（{shown_a} 对 {shown_b}）")
        return
