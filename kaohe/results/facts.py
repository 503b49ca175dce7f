"""What the roster says about an assessed unit, and which scoring group it falls in.

The group of a unit is found, in order:

1. the roster's own ``分组`` column (and ``分组类型`` for a group the scheme does not fix), when given;
2. the first of the unit's sequence, category, region, township, county and city that names a group the
   scheme fixes (内蒙古 序列, 四川 市（州）/片区, 弥勒 非公企业);
3. otherwise the unit's township (else region, county) as an open group, of the open group kind that
   matches the roster's 贫困乡镇 column (弥勒: 贫困乡镇 / 非贫困乡镇), or the only open kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kaohe.errors import Problem
from kaohe.scoring.spec import GroupKind, ScoringSpec, normalize_label

GROUP_COLUMN = "分组"
KIND_COLUMN = "分组类型"
POOR_KINDS = ("poor_township", "贫困乡镇")
NON_POOR_KINDS = ("non_poor_township", "非贫困乡镇")


@dataclass(frozen=True)
class UnitFacts:
    """The roster fields of one unit that scoring needs, as plain text."""

    code: str
    name: str
    role: str = "assessed"
    kind: str | None = None
    sequence: str | None = None
    region: str | None = None
    township: str | None = None
    county: str | None = None
    city: str | None = None
    poor_township: bool | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


def facts_of(unit: Any) -> UnitFacts:
    """UnitFacts of a stored Unit or a RosterEntry (anything with the roster's field names)."""

    def text(name: str) -> str | None:
        """The field as stripped text (enums by value), None when empty."""
        value = getattr(unit, name, None)
        if value is None:
            return None
        cleaned = str(getattr(value, "value", value)).strip()
        return cleaned or None

    return UnitFacts(
        code=str(unit.code), name=str(unit.name), role=text("role") or "assessed", kind=text("kind"),
        sequence=text("sequence"), region=text("region"), township=text("township"), county=text("county"),
        city=text("city"), poor_township=getattr(unit, "poor_township", None),
        attributes=dict(getattr(unit, "attributes", None) or {}),
    )


def _labels(*texts: str) -> set[str]:
    return {normalize_label(t) for t in texts}


def _fixed_group(spec: ScoringSpec, text: str) -> str | None:
    key = normalize_label(text)
    for group in spec.groups.fixed:
        if key in _labels(group.id, group.name, *group.aliases):
            return group.name
    return None


def _open_kind(spec: ScoringSpec, poor: bool | None) -> GroupKind | None:
    open_kinds = [k for k in spec.groups.kinds if k.open]
    if len(open_kinds) == 1:
        return open_kinds[0]
    if poor is None:
        return None
    wanted = _labels(*(POOR_KINDS if poor else NON_POOR_KINDS))
    return next((k for k in open_kinds if _labels(k.id, k.name, *k.aliases) & wanted), None)


def group_of(spec: ScoringSpec, unit: UnitFacts) -> tuple[str, str | None] | Problem:
    """``(group, kind or None)`` as a score sheet would give them, or the Problem that stops it."""
    given = (unit.attributes.get(GROUP_COLUMN) or "").strip()
    if given:
        kind = (unit.attributes.get(KIND_COLUMN) or "").strip() or None
        return given, kind
    for candidate in (unit.sequence, unit.kind, unit.region, unit.township, unit.county, unit.city):
        if candidate:
            fixed = _fixed_group(spec, candidate)
            if fixed is not None:
                return fixed, None
    place = unit.township or unit.region or unit.county
    open_kinds = [k for k in spec.groups.kinds if k.open]
    where = f"单位 {unit.code}（{unit.name}）"
    if place is None or not open_kinds:
        fixed_names = "、".join(g.name for g in spec.groups.fixed) or "无"
        return Problem(f"花名册中看不出所属分组（方案固定分组：{fixed_names}）；请在花名册加“{GROUP_COLUMN}”列", file=where)
    open_kind = _open_kind(spec, unit.poor_township)
    if open_kind is None:
        names = "、".join(k.name for k in open_kinds)
        return Problem(f"分组“{place}”须注明类型（{names}）：花名册“贫困乡镇”列为空；请填写该列或加“{KIND_COLUMN}”列",
                       file=where)
    return place, open_kind.name
