"""The indicator items a unit scores itself on, taken from its scheme's ``scoring:`` section.

The items are the components of the formula that applies to the unit (its ranking sequence or kind
picks the formula when a scheme has several) plus the bonus/penalty items scored as an amount (e.g.
弥勒 资金投入加分, 0–20). Components that may be missing (a reallocation group: no such task this
year) and components read from a lookup scale (given by the assessment group) are optional; every
other component must be in the table. A scheme without a formula (曲江, 鄂尔多斯) has an open list:
any item is accepted and recorded as written.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kaohe.scoring.spec import Formula, ScoringSpec, normalize_label


@dataclass(frozen=True)
class Indicator:
    """One item of the table: its id, name and the allowed range of a score."""

    id: str
    name: str
    minimum: Decimal = Decimal(0)
    maximum: Decimal | None = None
    required: bool = True

    def range_text(self) -> str:
        """The allowed range as people read it."""
        return f"{self.minimum}–{self.maximum}" if self.maximum is not None else f"不小于 {self.minimum}"


@dataclass(frozen=True)
class IndicatorList:
    """The items a score table is checked against; ``closed`` False accepts any item."""

    items: tuple[Indicator, ...]
    source: str
    closed: bool = True

    def match(self, text: str) -> Indicator | None:
        """The item whose id or name is ``text`` (full-width, spaces and case ignored)."""
        key = normalize_label(text)
        return next((i for i in self.items if key in (normalize_label(i.id), normalize_label(i.name))), None)

    def names(self) -> str:
        """Every item's name, for messages."""
        return "、".join(i.name for i in self.items)


OPEN_LIST = IndicatorList((), "方案未规定计分指标：自评表所列各项如实记录", closed=False)


def indicators_for(spec: ScoringSpec | None, *, sequence: str | None = None, kind: str | None = None) -> IndicatorList:
    """The indicator list of a unit (``sequence`` and ``kind`` as in the roster) under a scheme's scoring (``Scheme.scoring_spec``)."""
    if spec is None:
        return OPEN_LIST
    formula = _formula_of(spec, sequence, kind)
    if formula is None:
        seen: dict[str, Indicator] = {}
        for candidate in spec.formulas:
            for item in _items(spec, candidate):
                seen.setdefault(item.id, Indicator(item.id, item.name, item.minimum, item.maximum, required=False))
        return IndicatorList(tuple(seen.values()), "未能确定适用的计分公式：按全部公式的分项核对，各项均可不填")
    return IndicatorList(tuple(_items(spec, formula)), f"计分公式“{formula.name}”的分项及按分值计的加减分项")


def _formula_of(spec: ScoringSpec, sequence: str | None, kind: str | None) -> Formula | None:
    if len(spec.formulas) == 1:
        return spec.formulas[0]
    wanted = {normalize_label(v) for v in (sequence, kind) if v}
    for group_kind in spec.groups.kinds:
        labels = {normalize_label(x) for x in (group_kind.id, group_kind.name, *group_kind.aliases)}
        if labels & wanted:
            return spec.formula(group_kind.formula)
    return None


def _items(spec: ScoringSpec, formula: Formula) -> list[Indicator]:
    optional = {c for group in formula.reallocations for c in group.components}
    items = [Indicator(c.id, c.name, c.min, c.max, required=c.id not in optional and c.scale is None)
             for c in formula.components]
    items += [Indicator(i.id, i.name, Decimal(0), i.max, required=False)
              for _, i in spec.items() if i.kind == "amount" and i.applies(formula.id)]
    return items
