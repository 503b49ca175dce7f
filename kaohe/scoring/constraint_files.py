"""A constraint-indicator sheet (鄂尔多斯 第六条（六）) read into deductions: CSV or XLSX, bounded like every input.

One row per assessed unit: ``单位代码``, ``单位名称``, ``类别`` (the roster's category: 旗区, 市直部门 …) and one
column per constraint indicator (its name or id) holding the number of verified findings (a whole number;
是 = 1, 否 or blank = 0). ``序号``/``备注``/``说明`` are ignored. Every problem is named by file, row and field.
"""

from __future__ import annotations

from pathlib import Path

from kaohe.errors import Problem, ScoreSheetError
from kaohe.inputfiles import read_bounded
from kaohe.schemes.constraints import ConstraintIndicators, ConstraintResult, deduction
from kaohe.scoring.headed_table import headed
from kaohe.scoring.numbers import to_decimal
from kaohe.scoring.spec import normalize_label
from kaohe.scoring.table import Cell, read_table
from kaohe.scoring.values import NO, YES, text_of

FIXED = {"单位代码": "unit", "代码": "unit", "unit": "unit", "单位名称": "name", "名称": "name", "name": "name",
         "类别": "category", "单位类别": "category", "kind": "category", "序号": None, "备注": None, "说明": None}
LABELS = {"unit": "单位代码", "name": "单位名称", "category": "类别"}


def read_constraints(rule: ConstraintIndicators, path: Path) -> list[ConstraintResult]:
    """The deductions of a constraint-indicator file on disk."""
    return parse_constraints(rule, read_bounded(path, "文件", ScoreSheetError), str(path))


def parse_constraints(rule: ConstraintIndicators, data: bytes, file: str) -> list[ConstraintResult]:
    """The deductions of a constraint-indicator sheet given as bytes; ScoreSheetError listing every problem."""
    table = read_table(data, file)
    known: dict[str, str | None] = {normalize_label(k): v for k, v in FIXED.items()}
    for item in rule.items:
        known[normalize_label(item.id)] = known[normalize_label(item.name)] = item.id
    labels = {**LABELS, **{i.id: i.name for i in rule.items}}
    sheet = headed(table, file, known, ("unit", "name", "category", *(i.id for i in rule.items)), labels)
    problems: list[Problem] = []
    results: list[ConstraintResult] = []
    seen: dict[str, int] = {}
    for number, row in sheet.rows():
        fixed = {k: text_of(row.get(k)) for k in ("unit", "name", "category")}
        missing = [Problem(f"{LABELS[k]}为空", file=file, row=number, field=LABELS[k]) for k, v in fixed.items() if not v]
        if fixed["unit"] in seen:
            missing.append(Problem(f"单位 {fixed['unit']} 重复（已见第{seen[fixed['unit']]}行）", file=file, row=number, field="单位代码"))
        findings: dict[str, int] = {}
        for item in rule.items:
            try:
                findings[item.id] = _count(row.get(item.id))
            except ValueError as error:
                missing.append(Problem(str(error), file=file, row=number, field=item.name))
        if missing:
            problems += missing
            continue
        seen[fixed["unit"]] = number
        outcome = deduction(rule, fixed["unit"], fixed["name"], fixed["category"], findings, file=file, row=number)
        if isinstance(outcome, list):
            problems += outcome
        else:
            results.append(outcome)
    if not results and not problems:
        problems.append(Problem("表中没有任何单位", file=file))
    if problems:
        raise ScoreSheetError(problems)
    return results


def _count(value: Cell) -> int:
    """A number of verified findings: a whole number ≥ 0, 是 = 1, 否 or blank = 0."""
    text = text_of(value).lower()
    if text in NO:
        return 0
    if text in YES:
        return 1
    try:
        number = to_decimal(value)
    except (ValueError, ArithmeticError):
        raise ValueError(f"查实问题数 {text!r} 应为非负整数（或 是/否）") from None
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"查实问题数 {text} 应为非负整数")
    return int(number)
