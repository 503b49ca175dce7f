"""One unit's total: weights after reallocation, contributions, capped bonus and penalty, rounding."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    Underflow,
    localcontext,
)
from fractions import Fraction
from typing import Literal, cast

from kaohe.scoring.numbers import exact_text, plain, quantize
from kaohe.scoring.result import ComponentLine, Explanation, ItemLine
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


EXACT = Context(prec=400, rounding=ROUND_HALF_EVEN, traps=[Inexact, InvalidOperation, DivisionByZero, Overflow, Underflow])
_ROUNDING = {"ROUND_HALF_UP": ROUND_HALF_UP, "ROUND_HALF_EVEN": ROUND_HALF_EVEN}


def unit_totals(spec: ScoringSpec, prepared: Sequence[Prepared]) -> list[tuple[Decimal, list[Decimal | Fraction], Explanation | None]]:
    """Each unit's published total and its components' contributions, exactly, without the explanation.

    Where no weight was reallocated every number is a decimal, and decimal arithmetic with enough
    digits is exact (every input is bounded by ``KAOHE_MAX_DECIMAL_DIGITS``/``_EXPONENT``; any
    inexact step would raise and fall back): the same numbers as the fraction arithmetic of
    ``explain_unit``, which is used (and its explanation kept) for a unit with reallocated weights.
    """
    exponent = Decimal(1).scaleb(-spec.precision)
    rounding = _ROUNDING[spec.rounding]
    bonus = [(i.id, i.kind == "amount", i.max if i.kind == "amount" else i.points) for i in spec.bonus]
    penalty = [(i.id, i.kind == "amount", i.max if i.kind == "amount" else i.points) for i in spec.penalty]
    totals: list[tuple[Decimal, list[Decimal | Fraction], Explanation | None]] = []
    with localcontext(EXACT):
        for unit in prepared:
            try:
                if unit.missing:
                    raise Inexact
                formula = unit.formula
                values = unit.values
                contributions = [values[c.id].number * c.weight / 100 for c in formula.components]
                total = sum(contributions, Decimal(0))
                if unit.items:
                    total += _decimal_items(bonus, unit.items, formula.bonus_cap)
                    total -= _decimal_items(penalty, unit.items, formula.penalty_cap)
                if formula.total_cap is not None and total > formula.total_cap:
                    total = formula.total_cap
                if formula.total_floor is not None and total < formula.total_floor:
                    total = formula.total_floor
                published = total.quantize(exponent, rounding=rounding, context=_ROUNDED)
            except (Inexact, InvalidOperation, Overflow, Underflow):
                explanation = explain_unit(spec, unit)
                totals.append((explanation.total, [line.contribution for line in explanation.components], explanation))
                continue
            totals.append((published.copy_abs() if published.is_zero() else published, cast("list[Decimal | Fraction]", contributions), None))
    return totals


_ROUNDED = Context(prec=400, traps=[InvalidOperation, Overflow])


def _decimal_items(items: list[tuple[str, bool, Decimal | None]], given: dict[str, tuple[Decimal, str]], cap: Decimal | None) -> Decimal:
    total = Decimal(0)
    for item_id, is_amount, number in items:
        if item_id in given:
            quantity = given[item_id][0]
            total += min(quantity, number) if is_amount else number * quantity  # type: ignore[operator,type-var]
    return total if cap is None or total <= cap else cap


def explain_unit(spec: ScoringSpec, unit: Prepared) -> Explanation:
    """The unit's components, items and total with every step explained (grades, ranks and quotas come later)."""
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
        number = Fraction(value.number)
        contribution = number * weight / 100
        note = value.note
        if weight != component.weight:
            note = (note + "；" if note else "") + f"权重由 {plain(component.weight)}% 折算为 {exact_text(weight)}%"
        lines.append(
            ComponentLine(component.id, component.name, component.category, value.raw, number,
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
    return Explanation(
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
