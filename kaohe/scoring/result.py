"""What the engine returns: per unit, every number with where it came from; per report, the settings used."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from kaohe.scoring.numbers import exact_text, quantize


@dataclass(frozen=True)
class ComponentLine:
    """One component of a unit's score: raw input, weight after reallocation, contribution."""

    id: str
    name: str
    category: str | None
    raw: str
    value: Fraction | None
    base_weight: Decimal
    weight: Fraction
    contribution: Fraction
    missing: bool
    note: str = ""


@dataclass(frozen=True)
class ItemLine:
    """One bonus or penalty item that applies to a unit, before the section cap."""

    id: str
    name: str
    side: Literal["bonus", "penalty"]
    given: str
    points: Fraction
    note: str = ""


@dataclass(frozen=True)
class Decision:
    """Whether a unit was picked by a selection (advanced, bottom, recommended) and why."""

    selection: str
    name: str
    selected: bool
    reason: str


@dataclass(frozen=True)
class MultiYearFlag:
    """A two-year rule for one unit: triggered (True/False) or not evaluated (None), and why."""

    rule: str
    name: str
    selection: str
    triggered: bool | None
    reason: str


@dataclass(frozen=True)
class UnitResult:
    """One unit's whole result, able to explain itself."""

    unit: str
    name: str
    group: str
    group_name: str
    kind: str
    kind_name: str
    formula: str
    formula_name: str
    components: tuple[ComponentLine, ...]
    reallocation_notes: tuple[str, ...]
    bonus: tuple[ItemLine, ...]
    penalty: tuple[ItemLine, ...]
    weighted_sum: Fraction
    bonus_sum: Fraction
    bonus_applied: Fraction
    penalty_sum: Fraction
    penalty_applied: Fraction
    total_exact: Fraction
    total_notes: tuple[str, ...]
    total: Decimal
    flags: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    grade_before_quota: str | None = None
    grade: str | None = None
    grade_reason: str = ""
    quota_reason: str | None = None
    rank: int = 0
    group_size: int = 0
    overall_rank: int | None = None
    tie_notes: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    multi_year: tuple[MultiYearFlag, ...] = ()

    def selected(self, selection: str) -> bool:
        """Whether the unit was picked by ``selection``."""
        return any(d.selection == selection and d.selected for d in self.decisions)

    def decision(self, selection: str) -> Decision | None:
        """The unit's decision for ``selection``, if that selection applies to it."""
        return next((d for d in self.decisions if d.selection == selection), None)

    def flag(self, rule: str) -> MultiYearFlag | None:
        """The unit's outcome for a multi-year rule."""
        return next((f for f in self.multi_year if f.rule == rule), None)


def evolve(result: UnitResult, **changes: Any) -> UnitResult:
    """A copy of ``result`` with ``changes``: ``dataclasses.replace`` without re-running ``__init__``
    (the engine copies every unit in each phase; this keeps that copy to one dict copy)."""
    copy = object.__new__(UnitResult)
    copy.__dict__.update(result.__dict__)
    copy.__dict__.update(changes)
    return copy


@dataclass(frozen=True)
class GroupSummary:
    """A group as scored: its size and the places each rule gave it."""

    id: str
    name: str
    kind: str
    kind_name: str
    size: int
    places: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreReport:
    """The result of scoring one scheme's units for one year."""

    scheme: str
    precision: int
    display_precision: int
    results: tuple[UnitResult, ...]
    groups: tuple[GroupSummary, ...]
    settings_used: dict[str, Any]
    grade_names: tuple[str, ...] = ()
    selection_names: dict[str, str] = field(default_factory=dict)
    flag_names: dict[str, str] = field(default_factory=dict)
    negative_selections: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()

    def result(self, unit: str) -> UnitResult:
        """The result of the unit with this code (KeyError if none)."""
        for result in self.results:
            if result.unit == unit:
                return result
        raise KeyError(unit)

    def by_group(self) -> list[tuple[GroupSummary, list[UnitResult]]]:
        """Each group with its results in rank order."""
        return [(g, sorted((r for r in self.results if r.group == g.id), key=lambda r: r.rank)) for g in self.groups]

    def shown(self, value: Fraction) -> str:
        """A contribution or subtotal as shown: ``display_precision`` decimals."""
        return format(quantize(value, self.display_precision), "f")

    def to_dict(self, *, explain: bool = True) -> dict[str, Any]:
        """Plain data: totals as strings with exactly ``precision`` decimals, nothing lost to floats.

        With ``explain`` each unit carries its whole explanation (components, items, grade, quota,
        ties, decisions); without it, only its code, name, total, grade, rank and group.
        """
        return {
            "scheme": self.scheme,
            "results": [self._result_dict(r) if explain else _brief(r) for r in self.results],
            "groups": [
                {"id": g.id, "name": g.name, "kind": g.kind, "kind_name": g.kind_name, "size": g.size, "places": g.places}
                for g in self.groups
            ],
            "settings_used": self.settings_used,
            "notes": list(self.notes),
        }

    def to_json(self, *, explain: bool = True, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text (UTF-8, Chinese kept readable); ``indent=None`` for the compact form."""
        separators = None if indent is not None else (",", ":")
        return json.dumps(self.to_dict(explain=explain), ensure_ascii=False, indent=indent, separators=separators)

    def _result_dict(self, r: UnitResult) -> dict[str, Any]:
        return {
            "unit": r.unit,
            "name": r.name,
            "total": format(r.total, "f"),
            "grade": r.grade,
            "rank": r.rank,
            "group": r.group_name,
            "explanation": {
                "group_id": r.group,
                "kind": r.kind,
                "kind_name": r.kind_name,
                "formula": r.formula,
                "formula_name": r.formula_name,
                "components": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "category": c.category,
                        "raw": c.raw,
                        "value": None if c.value is None else exact_text(c.value),
                        "base_weight_percent": format(c.base_weight, "f"),
                        "weight_percent": exact_text(c.weight),
                        "contribution": self.shown(c.contribution),
                        "missing": c.missing,
                        "note": c.note,
                    }
                    for c in r.components
                ],
                "reallocation": list(r.reallocation_notes),
                "weighted_sum": self.shown(r.weighted_sum),
                "bonus": _items_dict(self, r.bonus, r.bonus_sum, r.bonus_applied),
                "penalty": _items_dict(self, r.penalty, r.penalty_sum, r.penalty_applied),
                "total_exact": exact_text(r.total_exact),
                "total_notes": list(r.total_notes),
                "grade_before_quota": r.grade_before_quota,
                "grade_after_quota": r.grade,
                "grade_reason": r.grade_reason,
                "quota_reason": r.quota_reason,
                "rank": r.rank,
                "group_size": r.group_size,
                "overall_rank": r.overall_rank,
                "ties": list(r.tie_notes),
                "decisions": [
                    {"id": d.selection, "name": d.name, "selected": d.selected, "reason": d.reason} for d in r.decisions
                ],
                "multi_year": [
                    {"id": f.rule, "name": f.name, "triggered": f.triggered, "reason": f.reason} for f in r.multi_year
                ],
                "flags": [self.flag_names.get(f, f) for f in r.flags],
                "problems": list(r.problems),
                "advice": list(r.advice),
            },
        }


def _brief(r: UnitResult) -> dict[str, Any]:
    return {"unit": r.unit, "name": r.name, "total": format(r.total, "f"), "grade": r.grade, "rank": r.rank, "group": r.group_name}


def _items_dict(report: ScoreReport, items: tuple[ItemLine, ...], raw: Fraction, applied: Fraction) -> dict[str, Any]:
    return {
        "items": [
            {"id": i.id, "name": i.name, "given": i.given, "points": report.shown(i.points), "note": i.note} for i in items
        ],
        "sum": report.shown(raw),
        "applied": report.shown(applied),
    }
