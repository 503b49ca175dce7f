"""Synthetic, deterministic score inputs for a simulated cycle: a realistic spread with a few failing units. Pure.

Every number comes from ``random.Random`` seeded with the seed and the unit code, so the same seed and
roster always give the same sheet. About one unit in twelve (at least one when there are five or more)
is "weak": low component scores, penalties where the scheme has them, and problems listed by the
assessors, so that it lands in the lowest grade (弥勒 不合格) and must rectify.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from kaohe.errors import Problem, ScoreSheetError
from kaohe.results.facts import facts_of, group_of
from kaohe.scoring.inputs import RawValue, UnitInput
from kaohe.scoring.spec import Component, Formula, Item, ScoringSpec, normalize_label

WEAK_SHARE = Decimal(1) / Decimal(12)
WEAK_PROBLEMS = ("帮扶项目推进缓慢，年度计划未完成", "扶贫台账资料不完整", "资金拨付滞后", "入户走访记录不全")
WEAK_ADVICE = ("制定整改方案，明确责任人和完成时限", "加快项目实施进度")


def weak_units(codes: Iterable[str], seed: str) -> set[str]:
    """The units the simulation makes weak: the lowest by a seeded hash, about one in twelve."""
    ordered = sorted(codes, key=lambda c: hashlib.sha256(f"{seed}:weak:{c}".encode()).hexdigest())
    count = 0 if len(ordered) < 5 else max(1, int(len(ordered) * WEAK_SHARE))
    return set(ordered[:count])


def _formula_of(spec: ScoringSpec, group: str, kind: str | None) -> Formula:
    key = normalize_label(group)
    for fixed in spec.groups.fixed:
        if key in {normalize_label(t) for t in (fixed.id, fixed.name, *fixed.aliases)}:
            return spec.formula(spec.kind(fixed.kind).formula)
    wanted = normalize_label(kind or "")
    for group_kind in spec.groups.kinds:
        if wanted in {normalize_label(t) for t in (group_kind.id, group_kind.name, *group_kind.aliases)}:
            return spec.formula(group_kind.formula)
    return spec.formulas[0]


def _component_value(spec: ScoringSpec, component: Component, rng: random.Random, weak: bool, quality: float) -> RawValue:
    if component.scale is not None:
        levels = spec.scale(component.scale).levels
        position = len(levels) - 1 - rng.randrange(3) if weak else int((1 - quality) * (len(levels) // 2))
        return levels[max(0, min(position, len(levels) - 1))].code
    low, high = float(component.min), float(component.max)
    share = rng.uniform(0.50, 0.64) if weak else min(0.99, 0.72 + 0.24 * quality + rng.uniform(-0.03, 0.03))
    return Decimal(str(round(low + (high - low) * share, 1)))


def _items(spec: ScoringSpec, formula: Formula, rng: random.Random, weak: bool) -> dict[str, RawValue]:
    chosen: dict[str, RawValue] = {}
    taken: set[str] = set()
    for side, item in spec.items():
        if not item.applies(formula.id):
            continue
        if item.kind == "amount":
            assert item.max is not None
            top = 0.1 if weak else 0.3
            chosen[item.id] = Decimal(str(round(rng.uniform(0, float(item.max) * top), 1)))
            continue
        chance = (0.5 if weak else 0.05) if side == "penalty" else (0.02 if weak else 0.2)
        if item.exclusive is not None and item.exclusive in taken:
            continue
        if rng.random() < chance:
            chosen[item.id] = "是" if item.kind == "flag" else 1
            if item.exclusive is not None:
                taken.add(item.exclusive)
    return chosen


def simulated_inputs(spec: ScoringSpec, units: Sequence[Any], seed: str) -> list[UnitInput]:
    """One synthetic input per assessed unit of ``units`` (stored Units or RosterEntries), in code order."""
    facts = sorted((f for f in map(facts_of, units) if f.role == "assessed"), key=lambda f: f.code)
    weak = weak_units([f.code for f in facts], seed)
    problems: list[Problem] = []
    inputs: list[UnitInput] = []
    for unit in facts:
        group = group_of(spec, unit)
        if isinstance(group, Problem):
            problems.append(group)
            continue
        rng = random.Random(f"{seed}:{unit.code}")
        is_weak = unit.code in weak
        quality = rng.random()
        formula = _formula_of(spec, *group)
        values: dict[str, RawValue] = {}
        optional = {c for r in formula.reallocations for c in r.components}
        for reallocation in formula.reallocations:
            keep = max(reallocation.min_present, len(reallocation.components) - rng.randrange(len(reallocation.components)))
            dropped = set(rng.sample(reallocation.components, len(reallocation.components) - keep))
            values.update({c: "无任务" for c in dropped})
        for component in formula.components:
            if component.id not in values or component.id not in optional:
                values[component.id] = _component_value(spec, component, rng, is_weak, quality)
        inputs.append(UnitInput(
            unit=unit.code, name=unit.name, group=group[0], kind=group[1], values=values,
            items=_items(spec, formula, rng, is_weak), flags={f.id: "否" for f in spec.input_flags},
            problems=list(rng.sample(WEAK_PROBLEMS, 2)) if is_weak else [],
            advice=list(WEAK_ADVICE) if is_weak else [],
        ))
    if problems:
        raise ScoreSheetError(problems)
    return inputs


def sheet_csv(spec: ScoringSpec, inputs: Sequence[UnitInput]) -> bytes:
    """``inputs`` as a UTF-8 CSV score sheet that ``kaohe score`` and the aggregation read back unchanged."""
    components: dict[str, str] = {}
    for formula in spec.formulas:
        for component in formula.components:
            components.setdefault(component.id, component.name)
    items: list[Item] = [item for _, item in spec.items()]
    open_kinds = any(k.open for k in spec.groups.kinds)
    header = ["单位代码", "单位名称", "分组", *(["分组类型"] if open_kinds else []), *components.values(),
              *(i.name for i in items), *(f.name for f in spec.input_flags), "存在问题", "改进建议"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in inputs:
        writer.writerow([
            row.unit, row.name, row.group, *([row.kind or ""] if open_kinds else []),
            *(_cell(row.values.get(c)) for c in components), *(_cell(row.items.get(i.id)) for i in items),
            *(_cell(row.flags.get(f.id)) for f in spec.input_flags), "；".join(row.problems), "；".join(row.advice),
        ])
    return buffer.getvalue().encode("utf-8")


def _cell(value: RawValue) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def simulated_sheet(spec: ScoringSpec | None, units: Sequence[Any], seed: str) -> bytes | None:
    """The synthetic score sheet (CSV bytes) of a scheme's scoring specification, or None when it has no formula."""
    if spec is None:
        return None
    return sheet_csv(spec, simulated_inputs(spec, units, seed))
