"""What the engine returns: per unit, every number with where it came from; per report, the settings used."""

from __future__ import annotations

import json
from collections.abc import Iterator
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
class Explanation:
    """How a unit's total came about, in exact arithmetic: component and item lines, sums, caps, notes."""

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


def _explained(name: str) -> Any:
    def read(self: UnitResult) -> Any:
        return getattr(self.explanation(), name)

    read.__name__ = name
    read.__doc__ = f"``{name}`` of the unit's explanation (built from its inputs when first read)."
    return property(read)


class UnitResult:
    """One unit's whole result, able to explain itself.

    What decides grades, places and ranks (the published total, the ranking key, grade, ranks,
    whether each selection picked the unit) is set while scoring. The explanation (component and item
    lines, exact sums, notes, quota, tie and selection reasons) is built from the unit's prepared
    inputs when first read, with the same exact arithmetic, so scoring 100,000 units holds only what
    decides the outcome, and a printout builds each unit's explanation as it prints it.
    """

    __slots__ = (
        "unit", "name", "group", "group_name", "kind", "kind_name", "formula", "formula_name", "total", "flags",
        "grade_before_quota", "grade", "grade_reason", "rank", "group_size", "overall_rank", "multi_year",
        "key", "_prepared", "_spec", "_explanation", "_quota", "_ranked", "_picks",
    )

    def __init__(self, spec: Any, prepared: Any, total: Decimal, key: tuple[Any, ...], flags: tuple[str, ...],
                 explanation: Explanation | None = None) -> None:
        self.unit: str = prepared.source.unit
        self.name: str = prepared.source.name
        self.group: str = prepared.group_id
        self.group_name: str = prepared.group_name
        self.kind: str = prepared.kind.id
        self.kind_name: str = prepared.kind.name
        self.formula: str = prepared.formula.id
        self.formula_name: str = prepared.formula.name
        self.total = total
        self.key = key
        self.flags = flags
        self.grade_before_quota: str | None = None
        self.grade: str | None = None
        self.grade_reason = ""
        self.rank = 0
        self.group_size = 0
        self.overall_rank: int | None = None
        self.multi_year: tuple[MultiYearFlag, ...] = ()
        self._spec = spec
        self._prepared = prepared
        self._explanation = explanation
        self._quota: tuple[Any, ...] | None = None
        self._ranked: list[UnitResult] | None = None
        self._picks: list[tuple[Any, int, bool]] = []

    def __repr__(self) -> str:
        return f"UnitResult({self.unit!r}, total={self.total}, grade={self.grade!r}, rank={self.rank})"

    def explanation(self, *, keep: bool = True) -> Explanation:
        """The unit's explanation (kept for the next call unless ``keep`` is false)."""
        if self._explanation is not None:
            return self._explanation
        from kaohe.scoring.formula import explain_unit

        explanation = explain_unit(self._spec, self._prepared)
        if keep:
            self._explanation = explanation
        return explanation

    components: tuple[ComponentLine, ...] = _explained("components")
    reallocation_notes: tuple[str, ...] = _explained("reallocation_notes")
    bonus: tuple[ItemLine, ...] = _explained("bonus")
    penalty: tuple[ItemLine, ...] = _explained("penalty")
    weighted_sum: Fraction = _explained("weighted_sum")
    bonus_sum: Fraction = _explained("bonus_sum")
    bonus_applied: Fraction = _explained("bonus_applied")
    penalty_sum: Fraction = _explained("penalty_sum")
    penalty_applied: Fraction = _explained("penalty_applied")
    total_exact: Fraction = _explained("total_exact")
    total_notes: tuple[str, ...] = _explained("total_notes")

    @property
    def problems(self) -> tuple[str, ...]:
        """Problems found by the assessors (存在问题)."""
        return tuple(self._prepared.source.problems)

    @property
    def advice(self) -> tuple[str, ...]:
        """Improvement advice from the assessors (改进建议)."""
        return tuple(self._prepared.source.advice)

    @property
    def quota_reason(self) -> str | None:
        """Why the unit kept or lost its grade under a grade quota (None: no quota concerned it)."""
        if self._quota is None:
            return None
        render, *args = self._quota
        return render(self, *args)  # type: ignore[no-any-return]

    @property
    def tie_notes(self) -> tuple[str, ...]:
        """For a unit with the same published total as a neighbour, which key put them in their order."""
        if self._ranked is None:
            return ()
        from kaohe.scoring.ranking import neighbour_notes

        return tuple(neighbour_notes(self._spec, self._ranked, self.rank - 1))

    @property
    def decisions(self) -> tuple[Decision, ...]:
        """The unit's decision for each selection that applies to it, and why."""
        from kaohe.scoring.quotas import decision_of

        return tuple(decision_of(self, *pick) for pick in self._picks)

    def selections(self) -> tuple[str, ...]:
        """The ids of the selections that picked the unit, in the scheme's order."""
        return tuple(place.selection.id for place, _, chosen in self._picks if chosen)

    def selected(self, selection: str) -> bool:
        """Whether the unit was picked by ``selection``."""
        return any(place.selection.id == selection and chosen for place, _, chosen in self._picks)

    def picked(self, selection: str) -> bool | None:
        """Whether ``selection`` picked the unit (None: it does not apply to the unit)."""
        return next((chosen for place, _, chosen in self._picks if place.selection.id == selection), None)

    def decision(self, selection: str) -> Decision | None:
        """The unit's decision for ``selection``, if that selection applies to it."""
        from kaohe.scoring.quotas import decision_of

        return next((decision_of(self, *pick) for pick in self._picks if pick[0].selection.id == selection), None)

    def flag(self, rule: str) -> MultiYearFlag | None:
        """The unit's outcome for a multi-year rule."""
        return next((f for f in self.multi_year if f.rule == rule), None)


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
        index = self.__dict__.get("_index")
        if index is None:
            index = {r.unit: r for r in reversed(self.results)}
            object.__setattr__(self, "_index", index)
        return index[unit]  # type: ignore[no-any-return]

    def by_group(self) -> list[tuple[GroupSummary, list[UnitResult]]]:
        """Each group with its results in rank order."""
        members: dict[str, list[UnitResult]] = {g.id: [] for g in self.groups}
        for result in self.results:
            members.setdefault(result.group, []).append(result)
        return [(g, sorted(members[g.id], key=lambda r: r.rank)) for g in self.groups]

    def shown(self, value: Fraction) -> str:
        """A contribution or subtotal as shown: ``display_precision`` decimals."""
        return format(quantize(value, self.display_precision), "f")

    def to_dict(self, *, explain: bool = True) -> dict[str, Any]:
        """Plain data: totals as strings with exactly ``precision`` decimals, nothing lost to floats.

        With ``explain`` each unit carries its whole explanation (components, items, grade, quota,
        ties, decisions); without it, only its code, name, total, grade, rank and group.
        """
        return {"scheme": self.scheme, "results": [self.result_dict(r, explain=explain) for r in self.results], **self._tail()}

    def result_dict(self, r: UnitResult, *, explain: bool = True) -> dict[str, Any]:
        """One unit as in ``to_dict`` (its explanation built for this call, not kept)."""
        return self._result_dict(r) if explain else _brief(r)

    def to_json(self, *, explain: bool = True, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text (UTF-8, Chinese kept readable); ``indent=None`` for the compact form."""
        return "".join(self.iter_json(explain=explain, indent=indent))

    def iter_json(self, *, explain: bool = True, indent: int | None = 2) -> Iterator[str]:
        """``to_json`` in pieces, one unit at a time, so printing a large report never holds all of it
        (the text is the same as ``json.dumps(to_dict())``)."""
        separators = (",", ": ") if indent is not None else (",", ":")
        encoder = json.JSONEncoder(ensure_ascii=False, indent=indent, separators=separators)
        if not self.results:
            yield encoder.encode({"scheme": self.scheme, "results": [], **self._tail()})
            return
        head = encoder.encode({"scheme": self.scheme, "results": [0], **self._tail()})
        cut = head.index("0", head.index('"results"'))
        pad = "\n" + " " * (2 * indent) if indent is not None else ""
        yield head[:cut]
        between = ""
        if pad:
            for result in self.results:
                yield between + encoder.encode(self.result_dict(result, explain=explain)).replace("\n", pad)
                between = "," + pad
        else:
            for start in range(0, len(self.results), 500):
                batch = [self.result_dict(r, explain=explain) for r in self.results[start:start + 500]]
                yield between + encoder.encode(batch)[1:-1]
                between = ","
        yield head[cut + 1:]

    def _tail(self) -> dict[str, Any]:
        return {
            "groups": [
                {"id": g.id, "name": g.name, "kind": g.kind, "kind_name": g.kind_name, "size": g.size, "places": g.places}
                for g in self.groups
            ],
            "settings_used": self.settings_used,
            "notes": list(self.notes),
        }

    def _result_dict(self, r: UnitResult) -> dict[str, Any]:
        e = r.explanation(keep=False)
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
                    for c in e.components
                ],
                "reallocation": list(e.reallocation_notes),
                "weighted_sum": self.shown(e.weighted_sum),
                "bonus": _items_dict(self, e.bonus, e.bonus_sum, e.bonus_applied),
                "penalty": _items_dict(self, e.penalty, e.penalty_sum, e.penalty_applied),
                "total_exact": exact_text(e.total_exact),
                "total_notes": list(e.total_notes),
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
