"""The unit of a cycle's roster: one row, cleaned and typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """What a unit does in a cycle."""

    ASSESSED = "assessed"
    VERIFIER = "verifier"
    LEAD_ASSESSOR = "lead_assessor"
    COORDINATOR = "coordinator"
    THIRD_PARTY = "third_party"
    ORGANIZATION_DEPT = "organization_dept"
    SAMPLED = "sampled"


class RankingSequence(StrEnum):
    """Inner Mongolia ranking sequence (分类排序): teams, leaders, deputies, liaisons, members."""

    TEAM = "team"
    LEADER = "leader"
    DEPUTY = "deputy"
    LIAISON = "liaison"
    MEMBER = "member"


CONTACT_CHANNELS: tuple[str, ...] = ("email", "phone", "wecom", "dingtalk", "feishu", "webhook")
"""Contact channels a roster row may carry, in column order."""


@dataclass(frozen=True)
class RosterEntry:
    """One unit (or person) of a roster; every text kept as text, empty optional fields are ``None``.

    ``contacts`` and ``attributes`` take part in equality but not in the hash.
    """

    code: str
    name: str
    kind: str | None = None
    role: Role = Role.ASSESSED
    township: str | None = None
    region: str | None = None
    city: str | None = None
    county: str | None = None
    poor_township: bool | None = None
    sequence: RankingSequence | None = None
    supervisor: str | None = None
    contacts: dict[str, str] = field(default_factory=dict, hash=False)
    credit_code: str | None = None
    attributes: dict[str, str] = field(default_factory=dict, hash=False)
