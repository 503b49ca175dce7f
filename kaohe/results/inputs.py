"""The scoring inputs of a cycle: the coordinator's score sheet where it lists a unit, else its verified scores.

Precedence, unit by unit: a row of the score sheet given to the aggregation (the joint office's or lead
assessors' final scores; 弥勒 第五条（三）“以市联席办评分为准”) replaces everything the cycle holds for
that unit; a unit the sheet does not list is scored from its verified item scores (0002: signed off by
its verifier). A unit with neither, or a sheet row for a unit that is not assessed in the cycle, is an
error, and every such problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaohe.errors import Problem, ScoreSheetError
from kaohe.results.facts import UnitFacts, group_of
from kaohe.scoring.inputs import UnitInput
from kaohe.scoring.spec import ScoringSpec
from kaohe.scoring.validation import prepare

SHEET = "score_sheet"
VERIFIED = "verified"
CHILD = "child_cycle"
SOURCE_NAMES = {SHEET: "评分表", VERIFIED: "核实得分", CHILD: "下级周期考核结果"}


@dataclass(frozen=True)
class InputPlan:
    """The inputs to score, in roster order, and where each unit's came from."""

    inputs: list[UnitInput]
    sources: dict[str, str]

    def counts(self) -> dict[str, int]:
        """How many units came from each source."""
        result: dict[str, int] = {}
        for source in self.sources.values():
            result[source] = result.get(source, 0) + 1
        return result


def verified_input(spec: ScoringSpec, unit: UnitFacts, scores: Mapping[str, Decimal]) -> UnitInput | list[Problem]:
    """One unit's verified item scores as an engine input (component values and amount items)."""
    where = f"单位 {unit.code} 的核实得分"
    group = group_of(spec, unit)
    if isinstance(group, Problem):
        return [group]
    components = {c.id for f in spec.formulas for c in f.components}
    items = {i.id for _, i in spec.items()}
    values: dict[str, Decimal | None] = {}
    amounts: dict[str, Decimal | None] = {}
    problems: list[Problem] = []
    for item_id, score in scores.items():
        if item_id in components:
            values[item_id] = score
        elif item_id in items:
            amounts[item_id] = score
        else:
            problems.append(Problem("该指标不是本方案的计分分项，无法计分", file=where, field=item_id))
    if problems:
        return problems
    return UnitInput(unit=unit.code, name=unit.name, group=group[0], kind=group[1], values=values, items=amounts)


def plan_inputs(spec: ScoringSpec, assessed: Sequence[UnitFacts], verified: Mapping[str, Mapping[str, Decimal]],
                sheet: Sequence[UnitInput] = (), sheet_file: str | None = None) -> InputPlan:
    """Every assessed unit's input; ScoreSheetError lists every unit that has none or a bad one."""
    codes = {u.code for u in assessed}
    problems: list[Problem] = []
    for row in sheet:
        if row.unit not in codes:
            problems.append(Problem(f"单位代码 {row.unit} 不是本周期的被考核单位", file=sheet_file, row=row.row, field="单位代码"))
    from_sheet = {row.unit: row for row in sheet}
    inputs: list[UnitInput] = []
    sources: dict[str, str] = {}
    for unit in sorted(assessed, key=lambda u: u.code):
        if unit.code in from_sheet:
            inputs.append(from_sheet[unit.code])
            sources[unit.code] = SHEET
            continue
        if unit.code not in verified:
            problems.append(Problem("既没有已签字确认的核实得分，评分表中也没有该单位", file=f"单位 {unit.code}（{unit.name}）"))
            continue
        built = verified_input(spec, unit, verified[unit.code])
        if isinstance(built, list):
            problems += built
            continue
        where = f"单位 {unit.code} 的核实得分"
        problems += [Problem(p.reason, file=where, field=p.field) for p in prepare(spec, [built])[1]]
        inputs.append(built)
        sources[unit.code] = VERIFIED
    if problems:
        raise ScoreSheetError(problems)
    return InputPlan(inputs, sources)
