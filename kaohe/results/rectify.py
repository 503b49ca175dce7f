"""Who must rectify after a result, and what: the rule in force and each unit's items. Pure.

Rules (``RectifyRule``):
- ``lowest_grade``: units graded in the scheme's lowest grade (弥勒 第七条：不合格 → 约谈、限期整改);
- ``problems``: units for which the assessors listed problems (四川 第九条（一）, 曲江 第八条（三）: problems
  found → interview and a deadline to rectify);
- ``lowest_grade_or_problems``: either.

The default is ``lowest_grade`` for a scheme with grades and ``problems`` for one without; the rule used
is stored with every result version and shown, and a caller may pass another.
A unit's items are the problems its feedback letter lists (numbered the same way), so a reviewer can
sign them off one by one against the letter.
"""

from __future__ import annotations

from typing import Literal, get_args

from kaohe.reports.context import findings
from kaohe.scoring.result import ScoreReport, UnitResult

RectifyRule = Literal["lowest_grade", "problems", "lowest_grade_or_problems"]
RULES: tuple[str, ...] = get_args(RectifyRule)
RULE_NAMES: dict[str, str] = {
    "lowest_grade": "考核等次为最低等次的单位须整改",
    "problems": "考核中列出存在问题的单位须整改",
    "lowest_grade_or_problems": "考核等次为最低等次或列出存在问题的单位须整改",
}


def default_rule(report: ScoreReport) -> RectifyRule:
    """``lowest_grade`` when the scheme grades units, else ``problems``."""
    return "lowest_grade" if report.grade_names else "problems"


def must_rectify(report: ScoreReport, result: UnitResult, rule: RectifyRule) -> bool:
    """Whether ``result`` obliges its unit to rectify under ``rule``."""
    lowest = bool(report.grade_names) and result.grade == report.grade_names[-1]
    if rule == "lowest_grade":
        return lowest
    if rule == "problems":
        return bool(result.problems)
    return lowest or bool(result.problems)


def rectification_items(report: ScoreReport, rule: RectifyRule) -> dict[str, list[str]]:
    """Unit code → the items it must rectify (the letter's 存在问题), for every unit the rule picks."""
    picked: dict[str, list[str]] = {}
    for result in report.results:
        if must_rectify(report, result, rule):
            picked[result.unit] = findings(report, result) or ["对照考核指标全面整改"]
    return picked
