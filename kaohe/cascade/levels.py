"""A cycle in a tree: linking a child cycle to its parent, the dates a child sees of its parent, and the
tree with each level's dates side by side (for ``plan``, ``status`` and the web portal)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kaohe.cascade.tree import followed_parent_stage, parent_dates
from kaohe.clock import BEIJING
from kaohe.errors import NotFoundError, StateError
from kaohe.models import Cycle, DateChange, Unit
from kaohe.planning import StageDates
from kaohe.schemes.model import Scheme


def stored_parent_dates(cycle: Cycle) -> dict[str, StageDates]:
    """What a child's ``parent.X`` expressions see of a stored cycle: its stages' current dates."""
    return parent_dates(
        (s.key, s.kind, s.opens_at.astimezone(BEIJING).date() if s.opens_at else None, s.due_at.astimezone(BEIJING).date())
        for s in cycle.stages
    )


def check_parent(parent: Cycle, scheme: Scheme, year: int, parent_unit: str | None) -> None:
    """Refuse a link that makes no sense: another year, a scheme made under another parent scheme, a
    parent unit that is not in the parent's roster."""
    if parent.year != year:
        raise StateError(f"上级周期 {parent.key} 是 {parent.year} 年度，不能作为 {year} 年度周期的上级")
    if scheme.parent is not None and scheme.parent != parent.scheme_id:
        raise StateError(f"方案 {scheme.id} 的上级方案是 {scheme.parent}，而周期 {parent.key} 用的是方案 {parent.scheme_id}")
    if parent_unit is not None and not any(u.code == parent_unit for u in parent.units):
        raise NotFoundError(f"上级周期 {parent.key} 的名单中没有编码为 {parent_unit} 的单位")


def root_of(cycle: Cycle) -> Cycle:
    """The top of ``cycle``'s tree."""
    seen = {cycle.id}
    while cycle.parent is not None and cycle.parent.id not in seen:
        cycle = cycle.parent
        seen.add(cycle.id)
    return cycle


def tree_view(session: Session, cycle: Cycle) -> dict[str, Any]:
    """The whole tree ``cycle`` belongs to, parents before children, each cycle's stages with the parent
    stage each follows and that stage's deadline beside it, and the date changes not yet acknowledged."""
    from kaohe.store.advance import scheme_of

    root = root_of(cycle)
    pending: dict[int, int] = {cycle_id: count for cycle_id, count in session.execute(
        select(DateChange.cycle_id, func.count()).where(DateChange.acknowledged_at.is_(None)).group_by(DateChange.cycle_id)).all()}
    rows: list[dict[str, Any]] = []

    def visit(node: Cycle, level: int) -> None:
        scheme = scheme_of(node)
        above = stored_parent_dates(node.parent) if node.parent is not None else {}
        stages = []
        for stage in node.stages:
            spec = next((s for s in scheme.stages if s.id == stage.key), None)
            follows = followed_parent_stage(spec)
            stages.append({
                "stage": stage.key, "name": stage.name, "due": stage.due_at.astimezone(BEIJING).date().isoformat(),
                "provisional": stage.provisional, "follows": follows,
                "parent_due": above[follows].due.isoformat() if follows in above else None,
            })
        rows.append({"cycle": node.key, "level": level, "scheme": node.scheme_id, "year": node.year, "status": node.status,
                     "parent": node.parent.key if node.parent is not None else None, "parent_unit": node.parent_unit,
                     "units": session.scalar(select(func.count()).select_from(Unit).where(Unit.cycle_id == node.id)),
                     "unacknowledged_changes": pending.get(node.id, 0), "stages": stages})
        for child in sorted(node.children, key=lambda c: c.key):
            visit(child, level + 1)

    visit(root, 0)
    return {"root": root.key, "cycles": rows}

