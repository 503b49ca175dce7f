"""Special verification (专项核查, 鄂尔多斯 第八条（三）) scored per unit, and its immediate feedback (第十条). Pure.

The coordinator scores a phase of special verification in a sheet (CSV or XLSX): one row per assessed unit,
``单位代码`` and ``得分`` required, ``存在问题`` and ``改进建议`` optional (several separated by ；or new lines),
``单位名称``/``序号``/``备注`` ignored. The score is on the 百分制 (0–100): the source gives no scale, a stated
default of the scheme (open point). Every problem is named by file, row and field; nothing is recorded if
one exists.

Each scored unit is told at once (第十条 “即时反馈在专项考核即时打分后进行”); the feedback stage of a
verification stage is the ``immediate_feedback`` stage whose dates are written from it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaohe.errors import Problem, ScoreSheetError
from kaohe.schemes.model import Scheme, Stage
from kaohe.scoring.headed_table import headed
from kaohe.scoring.numbers import to_decimal
from kaohe.scoring.spec import normalize_label
from kaohe.scoring.table import Cell, read_table
from kaohe.scoring.values import is_blank, text_of

VERIFICATION_KIND = "special_verification"
FEEDBACK_KIND = "immediate_feedback"
MAX_SCORE = Decimal(100)
COLUMNS = {"单位代码": "unit", "代码": "unit", "unit": "unit", "得分": "score", "核查得分": "score", "专项核查得分": "score",
           "score": "score", "存在问题": "problems", "problems": "problems", "改进建议": "advice", "整改建议": "advice",
           "advice": "advice", "单位名称": None, "名称": None, "序号": None, "备注": None, "说明": None}
LABELS = {"unit": "单位代码", "score": "得分", "problems": "存在问题", "advice": "改进建议"}
SPLIT = re.compile(r"[\n；;]+")


@dataclass(frozen=True)
class SpecialScore:
    """One unit's score in a phase of special verification, with what the verifiers found and advise."""

    unit: str
    score: Decimal
    problems: tuple[str, ...] = ()
    advice: tuple[str, ...] = ()
    row: int | None = None

    def fingerprint(self) -> str:
        """A short hash of what the unit is told: the same scoring twice is one message, a changed one another."""
        text = "\x1f".join([format(self.score, "f"), *self.problems, "\x1e", *self.advice])
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_json(self) -> dict[str, object]:
        """As stored in the audit record and printed with ``--json``."""
        return {"unit": self.unit, "score": format(self.score, "f"), "problems": list(self.problems), "advice": list(self.advice)}


def feedback_stage_of(scheme: Scheme, stage_id: str) -> Stage | None:
    """The ``immediate_feedback`` stage that follows special verification ``stage_id`` (dated from it), if any."""
    for stage in scheme.stages:
        if stage.kind != FEEDBACK_KIND:
            continue
        refs = {spec.expr.ref for spec in (stage.opens, stage.due) if spec is not None and spec.expr.kind == "stage"}
        if stage_id in refs:
            return stage
    return None


def parse_special_scores(data: bytes, file: str, assessed: Mapping[str, str]) -> list[SpecialScore]:
    """The rows of a special verification score sheet; ``assessed`` maps each assessed unit's code to its name."""
    sheet = headed(read_table(data, file), file, {normalize_label(label): key for label, key in COLUMNS.items()},
                   ("unit", "score"), LABELS)
    problems: list[Problem] = []
    scores: list[SpecialScore] = []
    seen: dict[str, int] = {}
    for number, row in sheet.rows():
        parsed = _row(row, number, file, assessed, seen, problems)
        if parsed is not None:
            seen[parsed.unit] = number
            scores.append(parsed)
    if not scores and not problems:
        problems.append(Problem("表中没有任何单位的得分", file=file))
    if problems:
        raise ScoreSheetError(problems)
    return scores


def _row(row: Mapping[str, Cell], number: int, file: str, assessed: Mapping[str, str], seen: Mapping[str, int],
         problems: list[Problem]) -> SpecialScore | None:
    code = _code(row.get("unit"))
    if not code:
        problems.append(Problem("单位代码为空", file=file, row=number, field="单位代码"))
        return None
    if code not in assessed:
        problems.append(Problem(f"{code} 不是本周期的被考核单位", file=file, row=number, field="单位代码"))
        return None
    if code in seen:
        problems.append(Problem(f"单位 {code} 重复（已见第{seen[code]}行）", file=file, row=number, field="单位代码"))
        return None
    raw = row.get("score")
    if is_blank(raw):
        problems.append(Problem("缺少得分", file=file, row=number, field="得分"))
        return None
    try:
        score = to_decimal(raw)
    except (ValueError, ArithmeticError) as error:
        problems.append(Problem(f"得分 {text_of(raw)!r} 不是数字（{error}）", file=file, row=number, field="得分"))
        return None
    if not Decimal(0) <= score <= MAX_SCORE:
        problems.append(Problem(f"得分 {format(score, 'f')} 超出 0–{MAX_SCORE}（百分制）", file=file, row=number, field="得分"))
        return None
    return SpecialScore(code, score, _texts(row.get("problems")), _texts(row.get("advice")), number)


def _code(value: Cell) -> str:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return text_of(value)


def _texts(value: Cell) -> tuple[str, ...]:
    return tuple(part.strip() for part in SPLIT.split(text_of(value)) if part.strip()) if not is_blank(value) else ()


def unscored(assessed: Sequence[str], scores: Sequence[SpecialScore]) -> list[str]:
    """The assessed units a phase has not scored yet, in the order given."""
    done = {s.unit for s in scores}
    return [code for code in assessed if code not in done]
