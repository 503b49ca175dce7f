"""One line per unit of a published result, and what changed between two versions. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kaohe.scoring.result import ScoreReport


@dataclass(frozen=True)
class ResultLine:
    """A unit's published result as people compare it: total (text), grade, rank, group, selections, rectification."""

    unit: str
    name: str
    total: str
    grade: str | None
    rank: int
    group: str
    overall_rank: int | None = None
    selections: tuple[str, ...] = ()
    must_rectify: bool = False

    def shown(self) -> dict[str, object]:
        """The fields a person reads, for change records."""
        return {"total": self.total, "grade": self.grade, "rank": self.rank, "group": self.group,
                "overall_rank": self.overall_rank, "selections": list(self.selections), "must_rectify": self.must_rectify}


def result_lines(report: ScoreReport, rectify: Mapping[str, Sequence[str]]) -> list[ResultLine]:
    """Every unit of ``report`` in report order; ``rectify`` holds the units that must rectify."""
    return [
        ResultLine(
            unit=r.unit, name=r.name, total=format(r.total, "f"), grade=r.grade, rank=r.rank, group=r.group_name,
            overall_rank=r.overall_rank, selections=r.selections(),
            must_rectify=r.unit in rectify,
        )
        for r in report.results
    ]


def changes(before: Sequence[ResultLine], after: Sequence[ResultLine]) -> dict[str, dict[str, object]]:
    """Unit code → ``{"before": …, "after": …}`` for every unit whose published result differs (or is new/gone)."""
    old = {line.unit: line.shown() for line in before}
    new = {line.unit: line.shown() for line in after}
    return {
        code: {"before": old.get(code), "after": new.get(code)}
        for code in sorted(old.keys() | new.keys())
        if old.get(code) != new.get(code)
    }
