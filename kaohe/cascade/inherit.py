"""A scheme that extends a parent scheme: how a child file is merged onto its parent. Pure.

A child file names ``parent: <scheme id>`` (Sichuan 第十二条: each city makes its own method after the
province's; Ordos 第十三条: each banner its own rules after the city's). The merged scheme is:

- every top-level field of the child, else the parent's (a child's ``open_points`` replace the parent's);
- ``roles``, ``reminder_plans``, ``events`` and ``scoring``: the parent's entries with the child's added or
  replacing them (``scoring: {groups: …}`` keeps the parent's formula and changes only the groups;
  ``scoring: null`` means no formula);
- ``stages``: the parent's, in the parent's order, each updated field by field by the child's entry with
  the same id (``omit: true`` drops it); the child's new stages follow, in the child's order. An inherited
  stage's ``feeds``/``late_reason`` (which name the grandparent's stages) are not inherited. A new stage
  with ``before: <stage id>`` is placed before that stage instead of at the end.

An inherited date the child does not override follows the parent cycle: a date written as a calendar
date (``Y+1-01-20``) or relative to the grandparent becomes ``parent.<stage>.due`` (or ``.opens``), so
when the parent's deadline moves, the child's copy moves with it. Dates relative to another stage of
the same scheme (``stage.X.due + 10 working_days``) or to an event keep their expression and follow the
child's own stages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MERGED_MAPPINGS = ("roles", "reminder_plans", "events", "scoring")
DATE_FIELDS = ("opens", "due")
PARENT_LINKS = ("feeds", "late_reason")


class InheritError(ValueError):
    """The child file cannot be merged onto its parent; the message names the field and why."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.field = reason, field


def merge_child(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """The child scheme's mapping with everything it inherits from ``parent`` (both as read from YAML)."""
    if child.get("id") == parent.get("id"):
        raise InheritError("下级方案的 id 不能与上级方案相同", "id")
    merged: dict[str, Any] = {key: value for key, value in parent.items() if key not in ("stages", "parent")}
    for key, value in child.items():
        if key in MERGED_MAPPINGS and isinstance(value, Mapping) and isinstance(parent.get(key), Mapping):
            merged[key] = {**parent[key], **value}
        elif key != "stages":
            merged[key] = value
    merged["stages"] = _merge_stages(parent.get("stages") or [], child.get("stages") or [])
    return merged


def _merge_stages(parent_stages: list[Any], child_stages: Any) -> list[dict[str, Any]]:
    if not isinstance(child_stages, list):
        raise InheritError("应为阶段列表", "stages")
    overrides: dict[str, Mapping[str, Any]] = {}
    added: list[dict[str, Any]] = []
    parent_ids = {s.get("id") for s in parent_stages if isinstance(s, Mapping)}
    for index, entry in enumerate(child_stages):
        if not isinstance(entry, Mapping) or not entry.get("id"):
            raise InheritError("每个阶段应为含 id 的映射", f"stages[{index}]")
        if entry["id"] in overrides:
            raise InheritError(f"阶段 {entry['id']} 出现两次", f"stages[{index}]")
        if entry["id"] in parent_ids:
            overrides[entry["id"]] = entry
        elif entry.get("omit"):
            raise InheritError(f"上级方案没有阶段 {entry['id']}，无从省略", f"stages[{index}]({entry['id']}).omit")
        else:
            added.append(dict(entry))
    stages: list[dict[str, Any]] = []
    for stage in parent_stages:
        override = overrides.get(stage["id"], {})
        if override.get("omit"):
            continue
        inherited = {key: value for key, value in stage.items() if key not in override and key not in PARENT_LINKS}
        for field in DATE_FIELDS:
            if field in inherited and field not in override:
                inherited[field] = follow_parent(stage["id"], field, inherited[field])
        stages.append({**inherited, **{k: v for k, v in override.items() if k != "omit"}})
    for stage in added:
        anchor = stage.pop("before", None)
        ids = [s["id"] for s in stages]
        if anchor is None:
            stages.append(stage)
        elif anchor in ids:
            stages.insert(ids.index(anchor), stage)
        else:
            raise InheritError(f"before 指向不存在的阶段 {anchor!r}", f"stages({stage['id']}).before")
    return stages


def follow_parent(stage_id: str, edge: str, spec: Any) -> Any:
    """An inherited date spec, rewritten to follow the parent cycle's date when it is not relative to a
    stage or event of the scheme itself (see the module docstring)."""
    from kaohe import dateexpr

    if not isinstance(spec, Mapping) or not isinstance(spec.get("date"), str):
        return spec
    try:
        expr = dateexpr.parse(spec["date"])
    except ValueError:
        return spec
    if expr.kind in ("stage", "event"):
        return spec
    note = spec.get("note")
    followed = f"随上级方案同一阶段（{spec['date']}）"
    return {**spec, "date": f"parent.{stage_id}.{edge}", "note": f"{note}；{followed}" if note else followed}
