"""Checking inputs against a scheme and turning them into exact values; every problem at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaohe.errors import Problem
from kaohe.scoring.inputs import PreviousResult, RawValue, UnitSource
from kaohe.scoring.numbers import plain, to_decimal
from kaohe.scoring.spec import (
    Component,
    FixedGroup,
    Formula,
    GroupKind,
    Item,
    ScoringSpec,
    normalize_label,
)
from kaohe.scoring.values import (
    NO_TASK,
    amount,
    is_blank,
    text_of,
    whole_count,
    yes_no,
)

UNIT_FIELD = "单位代码"
GROUP_FIELD = "分组"
KIND_FIELD = "分组类型"


@dataclass(frozen=True)
class Value:
    """A component value as used: exact number, the text given and how it was read."""

    number: Decimal
    raw: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A validated unit: its group, kind, formula and exact inputs."""

    source: UnitSource
    group_id: str
    group_name: str
    kind: GroupKind
    formula: Formula
    values: dict[str, Value]
    missing: frozenset[str]
    items: dict[str, tuple[Decimal, str]]
    flags: frozenset[str]


def prepare(spec: ScoringSpec, inputs: Sequence[UnitSource], file: str | None = None) -> tuple[list[Prepared], list[Problem]]:
    """Validate every unit; return the prepared units and every problem found.

    Each distinct cell text is read once per column, and each (kind, group) pair resolved once it
    resolved without a problem (a sheet repeats the same scores and labels many times); the checks
    and messages are those of reading every cell on its own.
    """
    problems: list[Problem] = []
    prepared: list[Prepared] = []
    seen_units: dict[str, int | None] = {}
    open_kinds: dict[str, tuple[str, str]] = {}
    resolved: dict[tuple[str | None, str], tuple[str, str, GroupKind]] = {}
    reader = _Reader(spec)
    for unit in inputs:
        where = _Where(file, unit.row, problems)
        if unit.unit in seen_units:
            first = seen_units[unit.unit]
            where.add(UNIT_FIELD, f"单位代码 {unit.unit} 重复" + (f"（首次出现在第{first}行）" if first is not None else ""))
        else:
            seen_units[unit.unit] = unit.row
        pair = (unit.kind, unit.group)
        group = resolved.get(pair)
        if group is None:
            group = _resolve_group(spec, unit, where, open_kinds, reader)
            if group is None:
                continue
            resolved[pair] = group
        group_id, group_name, kind = group
        formula = reader.formulas[kind.formula]
        values, missing = _component_values(reader, formula, unit, where)
        items = _items(reader, formula, unit, where) if unit.items else {}
        flags = _flags(reader, unit, where) if unit.flags else _NONE
        prepared.append(Prepared(unit, group_id, group_name, kind, formula, values, missing, items, flags))
    return prepared, problems


def check_previous(spec: ScoringSpec, previous: list[PreviousResult], file: str | None = None) -> list[Problem]:
    """Problems in last year's results: unknown selections, repeated units."""
    problems: list[Problem] = []
    known = {s.id for s in spec.selections}
    seen: set[str] = set()
    for record in previous:
        if record.unit in seen:
            problems.append(Problem(f"单位代码 {record.unit} 重复", file=file, row=record.row, field=UNIT_FIELD))
        seen.add(record.unit)
        for selection in sorted(record.selections - known):
            problems.append(Problem(f"未知的选取结果 {selection!r}", file=file, row=record.row))
    return problems


@dataclass
class _Where:
    file: str | None
    row: int | None
    problems: list[Problem]

    def add(self, field: str | None, reason: str) -> None:
        """Record a problem of this row."""
        self.problems.append(Problem(reason, file=self.file, row=self.row, field=field))


_NO_TASK = object()
_NONE: frozenset[str] = frozenset()


class _Reader:
    """The scheme's lookup tables, built once per sheet, and the reading of each distinct cell text per
    column, kept (cells that are not text are read each time)."""

    def __init__(self, spec: ScoringSpec) -> None:
        self.spec = spec
        self.kinds: dict[str, GroupKind] = {}
        for kind in spec.groups.kinds:
            for label in (kind.id, kind.name, *kind.aliases):
                self.kinds.setdefault(normalize_label(label), kind)
        self.fixed: dict[str, FixedGroup] = {}
        for group in spec.groups.fixed:
            for label in (group.id, group.name, *group.aliases):
                self.fixed.setdefault(normalize_label(label), group)
        self.formulas = {f.id: f for f in spec.formulas}
        self.all_components = {c.id: c for f in spec.formulas for c in f.components}
        self.members = {f.id: {c.id for c in f.components} for f in spec.formulas}
        self.reallocatable = {f.id: {c for r in f.reallocations for c in r.components} for f in spec.formulas}
        self.known_items = {i.id: i for _, i in spec.items()}
        self.exclusive = [item for _, item in spec.items() if item.exclusive is not None]
        self.known_flags = {f.id: f for f in spec.input_flags}
        self._labels: dict[str, str] = {}
        self._texts: dict[str, str] = {}
        self._readings: dict[str, dict[RawValue, object]] = {}

    def label(self, text: str) -> str:
        """``normalize_label`` of ``text``."""
        label = self._labels.get(text)
        if label is None:
            label = self._labels[text] = normalize_label(text)
        return label

    def text(self, raw: RawValue) -> str:
        """``text_of`` of ``raw``."""
        if raw.__class__ is not str:
            return text_of(raw)
        text = self._texts.get(raw)
        if text is None:
            text = self._texts[raw] = text_of(raw)
        return text

    def component(self, component: Component, raw: RawValue) -> object:
        """``_NO_TASK``, the Value, or why the cell cannot be read (text)."""
        cache = self._readings.setdefault(component.id, {})
        if raw is None or raw.__class__ is str:
            known = cache.get(raw, cache)
            if known is not cache:
                return known
        if self.text(raw).lower() in NO_TASK:
            reading: object = _NO_TASK
        else:
            try:
                reading = _read_component(self.spec, component, raw)
            except ValueError as error:
                reading = str(error)
        if raw is None or raw.__class__ is str:
            cache[raw] = reading
        return reading

    def item(self, item: Item, raw: RawValue) -> tuple[Decimal, str] | str:
        """The quantity and text of an item cell, or why it cannot be read."""
        cache = self._readings.setdefault("item:" + item.id, {})
        if raw is None or raw.__class__ is str:
            known = cache.get(raw, cache)
            if known is not cache:
                return known  # type: ignore[return-value]
        try:
            reading: tuple[Decimal, str] | str = (_read_item(item, raw), self.text(raw))
        except ValueError as error:
            reading = str(error)
        if raw is None or raw.__class__ is str:
            cache[raw] = reading
        return reading

    def flag(self, flag_id: str, raw: RawValue) -> bool | str:
        """Whether a flag cell says yes, or why it cannot be read."""
        cache = self._readings.setdefault("flag:" + flag_id, {})
        if raw is None or raw.__class__ is str:
            known = cache.get(raw, cache)
            if known is not cache:
                return known  # type: ignore[return-value]
        try:
            reading: bool | str = yes_no(raw)
        except ValueError as error:
            reading = str(error)
        if raw is None or raw.__class__ is str:
            cache[raw] = reading
        return reading


def _resolve_group(
    spec: ScoringSpec, unit: UnitSource, where: _Where, open_kinds: dict[str, tuple[str, str]], reader: _Reader
) -> tuple[str, str, GroupKind] | None:
    kind = None
    if unit.kind is not None and reader.text(unit.kind) != "":
        kind = reader.kinds.get(reader.label(unit.kind))
        if kind is None:
            choices = "、".join(k.name for k in spec.groups.kinds)
            where.add(KIND_FIELD, f"未知的分组类型“{unit.kind}”（可选：{choices}）")
            return None
    group_label = reader.label(unit.group)
    fixed: FixedGroup | None = reader.fixed.get(group_label)
    if fixed is not None:
        fixed_kind = spec.kind(fixed.kind)
        if kind is not None and kind.id != fixed_kind.id:
            where.add(KIND_FIELD, f"分组“{fixed.name}”的类型应为“{fixed_kind.name}”，不是“{kind.name}”")
            return None
        return fixed.id, fixed.name, fixed_kind
    if kind is None:
        open_choices = [k for k in spec.groups.kinds if k.open]
        names = "、".join(g.name for g in spec.groups.fixed)
        if open_choices:
            kinds = "、".join(k.name for k in open_choices)
            where.add(KIND_FIELD, f"分组“{unit.group}”不是方案固定分组（{names or '无'}），须填写分组类型（{kinds}）")
        else:
            where.add(GROUP_FIELD, f"未知的分组“{unit.group}”（可选：{names}）")
        return None
    if not kind.open:
        where.add(GROUP_FIELD, f"分组类型“{kind.name}”只能用于方案固定的分组，“{unit.group}”不在其中")
        return None
    key = "open:" + group_label
    earlier = open_kinds.setdefault(key, (kind.id, unit.group))
    if earlier[0] != kind.id:
        where.add(KIND_FIELD, f"分组“{unit.group}”在前面的行中类型为“{spec.kind(earlier[0]).name}”，此处为“{kind.name}”")
        return None
    return key, earlier[1], kind


def _component_values(
    reader: _Reader, formula: Formula, unit: UnitSource, where: _Where
) -> tuple[dict[str, Value], frozenset[str]]:
    members = reader.members[formula.id]
    unit_values = unit.values
    for key, raw in unit_values.items():
        if key in members:
            continue
        if key not in reader.all_components:
            where.add(key, "未知的计分分项")
        elif reader.text(raw).lower() not in NO_TASK:
            where.add(reader.all_components[key].name, f"该分项不属于“{formula.name}”的计分公式，应留空")
    values: dict[str, Value] = {}
    missing: set[str] = set()
    for component in formula.components:
        raw = unit_values.get(component.id)
        reading = reader.component(component, raw)
        if reading.__class__ is Value:
            values[component.id] = reading
        elif reading is _NO_TASK:
            if component.id in reader.reallocatable[formula.id]:
                missing.add(component.id)
            else:
                where.add(component.name, "缺少得分" if is_blank(raw) else f"“{raw}”：该分项不允许填“无任务”")
        else:
            where.add(component.name, reading)  # type: ignore[arg-type]
    if missing:
        for group in formula.reallocations:
            present = [c for c in group.components if c not in missing]
            if len(present) < group.min_present:
                names = "、".join(formula.component(c).name for c in group.components)  # type: ignore[union-attr]
                where.add(
                    group.name,
                    f"{names}中至少应有{group.min_present}项有任务并给分；原文只规定了缺少部分任务时的权重折算",
                )
    return values, frozenset(missing) if missing else _NONE


def _read_component(spec: ScoringSpec, component: Component, raw: RawValue) -> Value:
    text = text_of(raw)
    if component.scale is not None:
        scale = spec.scale(component.scale)
        level = scale.lookup(text)
        if level is not None:
            label = f"，{level.label}" if level.label else ""
            return Value(level.value, text, f"{level.code} → {plain(level.value)}分（{scale.name}{label}）")
        codes = "、".join(f"{lv.code}={plain(lv.value)}" for lv in scale.levels)
        if not scale.accept_values:
            raise ValueError(f"“{text}”不是{scale.name}的等级代码（{codes}）")
        try:
            number = to_decimal(raw)
        except ValueError as error:
            if "KAOHE_" in str(error):
                raise
            raise ValueError(f"“{text}”不是{scale.name}的等级代码（{codes}）") from None
        level = next((lv for lv in scale.levels if lv.value == number), None)
        if level is None:
            raise ValueError(f"{text}分不在{scale.name}中（{codes}）")
        return Value(number, text, f"{plain(number)}分 = {level.code}（{scale.name}）")
    number = to_decimal(raw)
    if not component.min <= number <= component.max:
        raise ValueError(f"{text} 超出范围 {plain(component.min)}–{plain(component.max)}")
    return Value(number, text)


def _items(reader: _Reader, formula: Formula, unit: UnitSource, where: _Where) -> dict[str, tuple[Decimal, str]]:
    result: dict[str, tuple[Decimal, str]] = {}
    for key, raw in unit.items.items():
        item: Item | None = reader.known_items.get(key)
        if item is None:
            where.add(key, "未知的加减分项")
            continue
        reading = reader.item(item, raw)
        if isinstance(reading, str):
            where.add(item.name, reading)
            continue
        if reading[0] == 0:
            continue
        if not item.applies(formula.id):
            where.add(item.name, f"该项不适用于“{formula.name}”，应留空")
            continue
        result[key] = reading
    if reader.exclusive and result:
        exclusive: dict[str, list[Item]] = {}
        for item in reader.exclusive:
            if item.id in result:
                exclusive.setdefault(item.exclusive, []).append(item)  # type: ignore[arg-type]
        for clash in exclusive.values():
            if len(clash) > 1:
                where.add(clash[-1].name, f"{'与'.join(i.name for i in clash)}不能同时成立")
    return result


def _read_item(item: Item, raw: RawValue) -> Decimal:
    if item.kind == "flag":
        return Decimal(1 if yes_no(raw) else 0)
    if item.kind == "count":
        count = whole_count(raw)
        if count > item.max_count:
            raise ValueError(f"次数 {count} 超过上限 {item.max_count}")
        return Decimal(count)
    return amount(raw)


def _flags(reader: _Reader, unit: UnitSource, where: _Where) -> frozenset[str]:
    result: set[str] = set()
    for key, raw in unit.flags.items():
        flag = reader.known_flags.get(key)
        if flag is None:
            where.add(key, "未知的输入标记")
            continue
        reading = reader.flag(key, raw)
        if isinstance(reading, str):
            where.add(flag.name, reading)
        elif reading:
            result.add(key)
    return frozenset(result) if result else _NONE
