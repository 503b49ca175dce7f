"""Plain-data inputs of a draw: the candidate units and the exclusions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    """One unit that may be drawn (a county, township, village or assessed unit)."""

    code: str
    name: str
    group: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exclusion:
    """A unit kept out of the draw before it happens, with the reason why."""

    code: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """The exclusion as JSON-ready data."""
        return {"code": self.code, "reason": self.reason}
