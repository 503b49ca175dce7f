"""Roles a scheme's stages need that no unit of a roster has (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kaohe.roster.entry import RosterEntry
from kaohe.schemes.model import Scheme


def missing_role_warnings(scheme: Scheme, roster: Sequence[RosterEntry], skip_kinds: Iterable[str] = ()) -> list[str]:
    """One line per stage whose acting role no roster unit has: that stage would owe nothing to anyone.

    Stages of ``skip_kinds`` (those whose obligations are created later, such as rectification) are left out.
    """
    present = {str(entry.role) for entry in roster}
    skipped = set(skip_kinds)
    warnings = []
    for stage in scheme.stages:
        if stage.actor is None or stage.kind in skipped or stage.actor in present:
            continue
        role = scheme.roles.get(stage.actor, stage.actor)
        warnings.append(f"阶段“{stage.name}”（{stage.id}）由{role}办理，但名册中没有角色为 {stage.actor} 的单位："
                        "该阶段不会产生任何应办事项，也不会发出提醒")
    return warnings
