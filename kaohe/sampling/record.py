"""The record of one draw: everything needed to publish it, re-run it and prove it unchanged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kaohe.errors import InputError, Problem
from kaohe.sampling.hashing import canonical_json, sha256_hex
from kaohe.sampling.population import PopulationEntry
from kaohe.sampling.units import Exclusion

METHODS = ("all", "random", "random_within_drawn")


def stratum_label(stratum: Sequence[str]) -> str:
    """A stratum as people read it."""
    return " / ".join(stratum) if stratum else "全体"


@dataclass(frozen=True)
class StratumResult:
    """What was drawn in one stratum and from how many units.

    ``population`` counts the pool before exclusions (for ``all``: the units that must all be
    inspected, e.g. a city's counties planned to exit), ``excluded`` and ``ineligible`` (outside the
    drawn parent units) name the codes taken out, ``available`` is what was left to draw from and
    ``selected`` is in draw order (for ``all``: by code).
    """

    stratum: tuple[str, ...]
    method: str
    wanted: int
    population: int
    excluded: tuple[str, ...]
    ineligible: tuple[str, ...]
    available: int
    selected: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The stratum result as JSON-ready data."""
        return {
            "stratum": list(self.stratum), "method": self.method, "wanted": self.wanted,
            "population": self.population, "excluded": list(self.excluded), "ineligible": list(self.ineligible),
            "available": self.available, "selected": list(self.selected),
        }


@dataclass(frozen=True)
class Shortfall:
    """A stratum that gave fewer units than wanted, and why (recorded, not an error)."""

    stratum: tuple[str, ...]
    wanted: int
    got: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """The shortfall as JSON-ready data."""
        return {"stratum": list(self.stratum), "wanted": self.wanted, "got": self.got, "reason": self.reason}


@dataclass(frozen=True)
class DrawRecord:
    """One spot-check draw: algorithm, rule, seed and its commitment, inputs, results, and their hash."""

    algorithm_version: str
    rule: Mapping[str, Any]
    seed: str
    seed_hash: str
    inputs_hash: str
    population: tuple[PopulationEntry, ...]
    exclusions: tuple[Exclusion, ...]
    strata: tuple[StratumResult, ...]
    shortfalls: tuple[Shortfall, ...]
    record_hash: str

    def selected(self) -> tuple[str, ...]:
        """Every drawn code, stratum by stratum."""
        return tuple(code for stratum in self.strata for code in stratum.selected)

    def body(self) -> dict[str, Any]:
        """Everything but ``record_hash``: what the record hash covers."""
        return {
            "algorithm_version": self.algorithm_version,
            "rule": dict(self.rule),
            "seed": self.seed,
            "seed_hash": self.seed_hash,
            "inputs_hash": self.inputs_hash,
            "population": [entry.to_dict() for entry in self.population],
            "exclusions": [exclusion.to_dict() for exclusion in self.exclusions],
            "strata": [stratum.to_dict() for stratum in self.strata],
            "shortfalls": [shortfall.to_dict() for shortfall in self.shortfalls],
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole record as JSON-ready data."""
        return {**self.body(), "record_hash": self.record_hash}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DrawRecord:
        """Read a record back; raise InputError naming every malformed field."""
        return _Reader(data).record()


def record_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of a record's body."""
    return sha256_hex(canonical_json(body))


class _Reader:
    """Strict reading of a record dict, collecting every problem."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []

    def _bad(self, where: str, reason: str) -> None:
        self.problems.append(Problem(reason, field=where))

    def _get(self, mapping: Any, key: str, kind: type | tuple[type, ...], where: str) -> Any:
        value = mapping.get(key) if isinstance(mapping, Mapping) else None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            self._bad(where, f"缺少或类型有误（实为 {value!r}）")
            return None
        return value

    def _strings(self, mapping: Any, key: str, where: str) -> tuple[str, ...]:
        value = self._get(mapping, key, list, where) or []
        if not all(isinstance(item, str) for item in value):
            self._bad(where, "应为文字列表")
            return ()
        return tuple(value)

    def _items(self, key: str) -> list[Any]:
        return self._get(self.data, key, list, key) or []

    def _entry(self, item: Any, where: str) -> PopulationEntry:
        attributes = self._get(item, "attributes", dict, f"{where}.attributes") or {}
        if not all(isinstance(v, str) for v in attributes.values()):
            self._bad(f"{where}.attributes", "属性值应为文字")
        group = item.get("group") if isinstance(item, Mapping) else None
        if group is not None and not isinstance(group, str):
            self._bad(f"{where}.group", f"应为文字或 null，实为 {group!r}")
        return PopulationEntry(
            self._get(item, "code", str, f"{where}.code"), self._get(item, "name", str, f"{where}.name"), group, attributes
        )

    def _stratum(self, item: Any, where: str) -> StratumResult:
        return StratumResult(
            self._strings(item, "stratum", f"{where}.stratum"), self._get(item, "method", str, f"{where}.method"),
            self._get(item, "wanted", int, f"{where}.wanted"), self._get(item, "population", int, f"{where}.population"),
            self._strings(item, "excluded", f"{where}.excluded"), self._strings(item, "ineligible", f"{where}.ineligible"),
            self._get(item, "available", int, f"{where}.available"), self._strings(item, "selected", f"{where}.selected"),
        )

    def _shortfall(self, item: Any, where: str) -> Shortfall:
        return Shortfall(
            self._strings(item, "stratum", f"{where}.stratum"), self._get(item, "wanted", int, f"{where}.wanted"),
            self._get(item, "got", int, f"{where}.got"), self._get(item, "reason", str, f"{where}.reason"),
        )

    def record(self) -> DrawRecord:
        if not isinstance(self.data, Mapping):
            raise InputError(Problem(f"抽样记录应为映射，实为 {type(self.data).__name__}"))
        known = {"algorithm_version", "rule", "seed", "seed_hash", "inputs_hash", "population", "exclusions",
                 "strata", "shortfalls", "record_hash"}
        for key in self.data:
            if key not in known:
                self._bad(str(key), "抽样记录中不应有此字段")
        record = DrawRecord(
            algorithm_version=self._get(self.data, "algorithm_version", str, "algorithm_version"),
            rule=self._get(self.data, "rule", dict, "rule"),
            seed=self._get(self.data, "seed", str, "seed"),
            seed_hash=self._get(self.data, "seed_hash", str, "seed_hash"),
            inputs_hash=self._get(self.data, "inputs_hash", str, "inputs_hash"),
            population=tuple(self._entry(item, f"population[{i}]") for i, item in enumerate(self._items("population"))),
            exclusions=tuple(
                Exclusion(self._get(item, "code", str, f"exclusions[{i}].code"),
                          self._get(item, "reason", str, f"exclusions[{i}].reason"))
                for i, item in enumerate(self._items("exclusions"))
            ),
            strata=tuple(self._stratum(item, f"strata[{i}]") for i, item in enumerate(self._items("strata"))),
            shortfalls=tuple(self._shortfall(item, f"shortfalls[{i}]") for i, item in enumerate(self._items("shortfalls"))),
            record_hash=self._get(self.data, "record_hash", str, "record_hash"),
        )
        if self.problems:
            raise InputError(self.problems)
        return record
