"""Who may be drawn in a sampling stage: a cycle's units turned into sampling candidates under a rule.

Candidates per rule (the roster's columns and extra attributes carry what the rules read):

- ``sichuan_exit_counties``: assessed units with a county (县 column) — the poor counties; grouped by
  ``city`` (市州), ``planned_exit`` read from the roster column 计划摘帽 (是/否) or an attribute of that name;
- ``per_group_fixed``: units whose kind (类别) is one of the quota kinds (苏木乡镇/乡镇 → township,
  嘎查村/村 → village, or the English word itself), grouped by the rule's group attribute (default: county);
- ``proportion_stratified``: every assessed unit, stratified by the named attributes (e.g. township); with
  ``kinds`` (曲江 第六条（二）“入村入户”), instead the roster entries of those kinds (村 → village, 户 → household).

Scheme files may write two older forms, read here as the sampling rules expect them: ``group_by: X`` is
``group_attribute: X`` and a single ``stratify_by: X`` is ``stratify_by: [X]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kaohe.sampling import (
    Candidate,
    PerGroupFixed,
    ProportionStratified,
    Rule,
    SichuanExitCounties,
)

ATTRIBUTE_ALIASES = {"计划摘帽": "planned_exit", "计划退出": "planned_exit", "当年计划摘帽": "planned_exit", "是否计划摘帽": "planned_exit"}
KIND_ALIASES = {"苏木乡镇": "township", "苏木": "township", "乡镇": "township", "镇": "township", "乡": "township",
                "嘎查村": "village", "嘎查": "village", "村": "village", "行政村": "village",
                "户": "household", "农户": "household", "贫困户": "household"}


@dataclass(frozen=True)
class UnitFacts:
    """What sampling needs to know of a roster unit."""

    code: str
    name: str
    role: str
    kind: str = ""
    township: str | None = None
    county: str | None = None
    city: str | None = None
    region: str | None = None
    sequence: str | None = None
    poor_township: bool | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


def normalise_rule(sampling: Mapping[str, Any]) -> dict[str, Any]:
    """The scheme's ``sampling`` mapping in the form ``kaohe.sampling.parse_rule`` reads."""
    data = dict(sampling)
    if "group_by" in data and "group_attribute" not in data:
        data["group_attribute"] = data.pop("group_by")
    if isinstance(data.get("stratify_by"), str):
        data["stratify_by"] = [data["stratify_by"]]
    return data


def attributes_of(unit: UnitFacts) -> dict[str, str]:
    """The unit's roster columns and extra attributes as sampling attributes (aliases resolved)."""
    attrs: dict[str, str] = {}
    for key, value in (("township", unit.township), ("county", unit.county), ("city", unit.city),
                       ("region", unit.region), ("sequence", unit.sequence)):
        if value:
            attrs[key] = value
    if unit.poor_township is not None:
        attrs["poor_township"] = "true" if unit.poor_township else "false"
    if unit.kind:
        attrs["kind"] = KIND_ALIASES.get(unit.kind.strip(), unit.kind.strip())
    for key, value in unit.attributes.items():
        if isinstance(value, str) and value.strip():
            attrs[ATTRIBUTE_ALIASES.get(key.strip(), key.strip())] = value.strip()
    return attrs


def candidates_for(rule: Rule, units: Iterable[UnitFacts]) -> list[Candidate]:
    """The units that may be drawn under ``rule``, as sampling candidates, by code."""
    chosen: list[Candidate] = []
    for unit in sorted(units, key=lambda u: u.code):
        attrs = attributes_of(unit)
        if isinstance(rule, SichuanExitCounties):
            take = unit.role == "assessed" and bool(unit.county)
        elif isinstance(rule, PerGroupFixed):
            take = attrs.get(rule.kind_attribute) in rule.quotas
        else:
            assert isinstance(rule, ProportionStratified)
            take = attrs.get("kind") in rule.kinds if rule.kinds else unit.role == "assessed"
        if take:
            chosen.append(Candidate(unit.code, unit.name, unit.county or unit.city, attrs))
    return chosen
