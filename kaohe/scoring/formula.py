"""One unit's total: weights after reallocation, contributions, capped bonus and penalty, rounding."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Literal

from kaohe.scoring.numbers import exact_text, plain, quantize
from kaohe.scoring.result import ComponentLine, ItemLine, UnitResult
from kaohe.scoring.spec import Formula, Item, ScoringSpec
from kaohe.scoring.validation import Prepared

ZERO = Fraction(0)


def effective_weights(formula: Formula, missing: frozenset[str]) -> tuple[dict[str, Fraction], list[str]]:
    """Each component's weight in percent after reallocating missing ones pro rata, and why."""
    weights = {c.id: Fraction(c.weight) for c in formula.components}
    notes: list[str] = []
    for group in formula.reallocations:
        gone = [c for c in group.components if c in missing]
        if not gone:
            continue
        present = [c for c in group.components if c not in missing]
        group_total = sum((weights[c] for c in group.components), ZERO)
        present_total = sum((weights[c] for c in present), ZERO)
        factor = group_total / present_total
        freed = group_total - present_total
        moved = "；".join(
            f"{_name(formula, c)} {exact_text(weights[c])}% → {exact_text(weights[c] * factor)}%" for c in present
        )
        notes.append(
            f"{group.name}：无{'、'.join(_name(formula, c) for c in gone)}任务，"
            f"其权重 {exact_text(freed)}% 按比例折入有任务的指标（{moved}）"
        )
        for c in gone:
            weights[c] = ZERO
        for c in present:
            weights[c] = weights[c] * factor
    return weights, notes


def compute_unit(spec: ScoringSpec, unit: Prepared) -> UnitResult:
    """The unit's components, items and total (grades, ranks and quotas come later)."""
    formula = unit.formula
    weights, reallocation_notes = effective_weights(formula, unit.missing)
    lines: list[ComponentLine] = []
    for component in formula.components:
        value = unit.values.get(component.id)
        weight = weights[component.id]
        if value is None:
            lines.append(
                ComponentLine(component.id, component.name, component.category, text_or_no_task(unit, component.id),
                              None, component.weight, weight, ZERO, True, "无此项任务，权重已按比例折算")
            )
            continue
        contribution = value.number * weight / 100
        note = value.note
        if weight != component.weight:
            note = (note + "；" if note else "") + f"权重由 {plain(component.weight)}% 折算为 {exact_text(weight)}%"
        lines.append(
            ComponentLine(component.id, component.name, component.category, value.raw, value.number,
                          component.weight, weight, contribution, False, note)
        )
    bonus = _item_lines(spec.bonus, "bonus", unit)
    penalty = _item_lines(spec.penalty, "penalty", unit)
    weighted = sum((line.contribution for line in lines), ZERO)
    bonus_sum = sum((i.points for i in bonus), ZERO)
    penalty_sum = sum((i.points for i in penalty), ZERO)
    notes: list[str] = []
    bonus_applied = _capped(bonus_sum, formula.bonus_cap, "加分", notes)
    penalty_applied = _capped(penalty_sum, formula.penalty_cap, "扣分", notes)
    total = weighted + bonus_applied - penalty_applied
    if formula.total_cap is not None and total > formula.total_cap:
        notes.append(f"总分 {exact_text(total)} 超过上限 {plain(formula.total_cap)}，按上限计")
        total = Fraction(formula.total_cap)
    if formula.total_floor is not None and total < formula.total_floor:
        notes.append(f"总分 {exact_text(total)} 低于下限 {plain(formula.total_floor)}，按下限计")
        total = Fraction(formula.total_floor)
    published = quantize(total, spec.precision, spec.rounding)
    if Fraction(published) != total:
        notes.append(f"精确值 {exact_text(total, 8)}，保留 {spec.precision} 位小数（{spec.rounding}）为 {published}")
    return UnitResult(
        unit=unit.source.unit,
        name=unit.source.name,
        group=unit.group_id,
        group_name=unit.group_name,
        kind=unit.kind.id,
        kind_name=unit.kind.name,
        formula=formula.id,
        formula_name=formula.name,
        components=tuple(lines),
        reallocation_notes=tuple(reallocation_notes),
        bonus=tuple(bonus),
        penalty=tuple(penalty),
        weighted_sum=weighted,
        bonus_sum=bonus_sum,
        bonus_applied=bonus_applied,
        penalty_sum=penalty_sum,
        penalty_applied=penalty_applied,
        total_exact=total,
        total_notes=tuple(notes),
        total=published,
        flags=tuple(f.id for f in spec.input_flags if f.id in unit.flags),
        problems=tuple(unit.source.problems),
        advice=tuple(unit.source.advice),
    )


def text_or_no_task(unit: Prepared, component_id: str) -> str:
    """What the input said for a missing component (``无任务`` when blank)."""
    raw = unit.source.values.get(component_id)
    text = "" if raw is None else str(raw).strip()
    return text or "无任务"


def _name(formula: Formula, component_id: str) -> str:
    component = formula.component(component_id)
    return component.name if component else component_id


def _item_lines(items: list[Item], side: Literal["bonus", "penalty"], unit: Prepared) -> list[ItemLine]:
    lines: list[ItemLine] = []
    for item in items:
        if item.id not in unit.items:
            continue
        quantity, given = unit.items[item.id]
        if item.kind == "amount":
            assert item.max is not None
            points = Fraction(min(quantity, item.max))
            note = f"填报 {plain(quantity)} 分，超过本项上限 {plain(item.max)} 分，按上限计" if quantity > item.max else ""
        else:
            assert item.points is not None
            points = Fraction(item.points) * Fraction(quantity)
            note = f"{int(quantity)} 项 × {plain(item.points)} 分" if item.kind == "count" else ""
        lines.append(ItemLine(item.id, item.name, side, given, points, note))
    return lines


def _capped(value: Fraction, cap: Decimal | None, label: str, notes: list[str]) -> Fraction:
    if cap is None:
        return value
    limit = Fraction(cap)
    if value > limit:
        notes.append(f"{label}合计 {exact_text(value)} 超过上限 {exact_text(limit)}，按上限计")
        return limit
    return value
