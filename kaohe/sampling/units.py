"""Plain-data inputs of a draw: the candidate units and the exclusions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def parse_exclusions(lines: Sequence[str], *, field: str, numbered: bool = False) -> list[Exclusion]:
    """``编码:理由`` each (a full-width colon too; blank lines skipped) as exclusions; InputError lists every
    malformed one, with its line number when ``numbered`` (a text area) and by ``field``."""
    from kaohe.errors import InputError, Problem

    exclusions: list[Exclusion] = []
    problems: list[Problem] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        code, sep, reason = line.replace("：", ":").partition(":")
        if not sep or not code.strip() or not reason.strip():
            where = f"第{number}行" if numbered else ""
            problems.append(Problem(f"{where}“{line.strip()[:40]}”应写成 单位编码:排除理由", field=field))
        else:
            exclusions.append(Exclusion(code.strip(), reason.strip()))
    if problems:
        raise InputError(problems)
    return exclusions
