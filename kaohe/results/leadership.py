"""四川 第九条（一）同责同咎、同查同奖: a unit's result carried by every member of its leadership team (pure).

The source says the result is “量化分解到各领导班子成员” without a method. The default, stated in the
scheme's assumptions (``sichuan.joint_responsibility``): each member carries the unit's total, rank, grade and
the selections (先进, 排名末位 …) in full — the same responsibility, the same commendation. Members come from
the roster column 领导班子成员 (names separated by 、，, or ;).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaohe.scoring.result import ScoreReport

MEMBERS_COLUMN = "领导班子成员"
_SEPARATORS = re.compile(r"[、，,；;]")


@dataclass(frozen=True)
class MemberShare:
    """What one leadership member carries of the unit's result."""

    unit: str
    unit_name: str
    member: str
    total: Decimal
    rank: int
    group_name: str
    grade: str | None
    selections: tuple[str, ...]


def members_of(attributes: Mapping[str, str]) -> list[str]:
    """The leadership members listed in a unit's roster attributes, in order, without repeats."""
    names = [n.strip() for n in _SEPARATORS.split(attributes.get(MEMBERS_COLUMN, "")) if n.strip()]
    return list(dict.fromkeys(names))


def apportion_to_members(report: ScoreReport, members: Mapping[str, Sequence[str]]) -> list[MemberShare]:
    """Every member's share of the result of the unit listing them (unit code → names); units with no
    members listed are left out, a code not in the report is a KeyError."""
    shares: list[MemberShare] = []
    for code, names in members.items():
        result = report.result(code)
        chosen = tuple(name for sid, name in report.selection_names.items() if result.selected(sid))
        shares += [MemberShare(result.unit, result.name, name, result.total, result.rank, result.group_name, result.grade, chosen)
                   for name in names]
    return shares
