"""Results flow up: a child cycle's published results become an input of its parent's aggregation.

Sichuan 第十二条: the 72 counties outside the four regions are assessed by their city, and the results are
reported to the province. When the parent aggregates, each child cycle's results in force (its latest
published version) are taken with their provenance — which cycle, which version, who published and who
approved it — and:

- every child version in force is stored with the parent's version (``inputs.children``): its provenance
  and its unit lines (total, grade, rank, group) as the child published them — what "reported to the
  province" means when the parent does not rank those units itself;
- every unit the child assessed that is also an assessed unit of the parent (in a group the parent's
  formula knows), and that the parent's own score sheet does not list, is scored from the component
  values the child's published report holds (the child scheme inherits the parent's formula, so they are
  the same inputs); its source is ``child_cycle`` and the record names it under ``scored``.

Pure: published reports and their provenance in, engine inputs out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kaohe.errors import Problem, ScoreSheetError
from kaohe.scoring.inputs import UnitInput

CHILD = "child_cycle"


@dataclass(frozen=True)
class ChildResults:
    """One child cycle's results in force and where they come from."""

    cycle: str
    scheme: str
    parent_unit: str | None
    version: int
    published_at: str
    published_by: str
    approvals: Sequence[Mapping[str, Any]]
    report: Mapping[str, Any]
    units: frozenset[str] = field(default_factory=frozenset)

    def provenance(self, scored: Iterable[str]) -> dict[str, Any]:
        """What the parent's version records about this input: where it comes from, its lines, what was scored."""
        lines = [{"unit": r["unit"], "name": r["name"], "total": r["total"], "grade": r.get("grade"), "rank": r.get("rank"),
                  "group": r.get("group")} for r in self.report.get("results", [])]
        return {"cycle": self.cycle, "scheme": self.scheme, "parent_unit": self.parent_unit, "version": self.version,
                "published_at": self.published_at, "published_by": self.published_by, "approvals": list(self.approvals),
                "lines": lines, "scored": sorted(scored)}


def child_inputs(children: Sequence[ChildResults], assessed: Mapping[str, tuple[str, str | None]],
                 listed: Iterable[str]) -> tuple[dict[str, UnitInput], dict[str, ChildResults]]:
    """Engine inputs for the parent's assessed units (code → (group, kind)) that a child published and the
    parent's sheet (``listed``) does not list; and which child each came from. A unit two children both
    published is an error naming both."""
    skip = set(listed)
    inputs: dict[str, UnitInput] = {}
    origin: dict[str, ChildResults] = {}
    problems: list[Problem] = []
    for child in children:
        for result in child.report.get("results", []):
            code = str(result["unit"])
            if code not in assessed or code in skip:
                continue
            if code in origin:
                problems.append(Problem(f"单位 {code} 同时出现在下级周期 {origin[code].cycle} 和 {child.cycle} 的考核结果中，无法确定采用哪一个",
                                        file=f"下级周期 {child.cycle} 第{child.version}版"))
                continue
            group, kind = assessed[code]
            explanation = result.get("explanation", {})
            inputs[code] = UnitInput(
                unit=code, name=str(result["name"]), group=group, kind=kind,
                values={c["id"]: c["raw"] for c in explanation.get("components", [])},
                items={i["id"]: i["given"] for part in ("bonus", "penalty") for i in explanation.get(part, {}).get("items", [])},
                problems=list(explanation.get("problems", [])), advice=list(explanation.get("advice", [])),
            )
            origin[code] = child
    if problems:
        raise ScoreSheetError(problems)
    return inputs, origin


def provenance(children: Sequence[ChildResults], origin: Mapping[str, ChildResults]) -> list[dict[str, Any]]:
    """One record per child version in force, with the units the parent scored from it."""
    return [child.provenance(code for code, source in origin.items() if source is child)
            for child in sorted(children, key=lambda c: c.cycle)]
