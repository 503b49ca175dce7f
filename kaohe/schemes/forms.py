"""Forms whose answers become one component's score (pure): a democratic evaluation form (内蒙古 附件3:
five items × 好/较好/一般/差 per attendee → 总结测评), an indicator table (内蒙古 附件1: eleven indicators,
100 points → 指标考核), and a form the source does not publish (内蒙古 附件4 民意调查: ``kind: entered``, the
score is entered on the score sheet as given; an open point, never a guessed conversion).

A scheme file declares them under ``forms`` keyed by the scoring component they feed::

    forms:
      summary_evaluation:
        kind: ballot
        items: [目标任务完成, 基层组织建设, 为民服务事宜, 脱贫攻坚成效, 总体评价]
        levels: {好: 100, 较好: 80, 一般: 60, 差: 40}
      indicators:
        kind: indicators
        items: [{id: reduction_plan, name: 贫困人口减贫计划完成率, max: 10}, …]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kaohe.errors import Problem, ScoreSheetError


def to_fraction(value: object) -> Fraction:
    """An exact, finite number from a number or its text; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(value)
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return Fraction(number)


def half_up(value: Fraction, places: int) -> Decimal:
    """``value`` (not negative) rounded half up to ``places`` decimals (四舍五入)."""
    scaled = value * 10**places + Fraction(1, 2)
    return Decimal(scaled.numerator // scaled.denominator).scaleb(-places)


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BallotForm(_Form):
    """Each attendee marks one level per item; a ballot scores the mean of its items, the form the mean of its ballots."""

    kind: Literal["ballot"]
    name: str
    clause: str
    items: tuple[str, ...] = Field(min_length=1)
    levels: dict[str, Decimal] = Field(min_length=2)
    note: str

    @model_validator(mode="after")
    def _distinct(self) -> BallotForm:
        if len(set(self.items)) != len(self.items):
            raise ValueError("测评项目重复")
        if any(not 0 <= v <= 100 for v in self.levels.values()):
            raise ValueError("各档分值应在 0–100 之间")
        return self


class Indicator(_Form):
    """One indicator of a table: its points at most ``max``."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    max: Decimal = Field(gt=0)
    area: str | None = None


class IndicatorForm(_Form):
    """A table of indicators whose points add up to the component's score (100 in all)."""

    kind: Literal["indicators"]
    name: str
    clause: str
    items: tuple[Indicator, ...] = Field(min_length=1)
    total: Decimal = Decimal(100)

    @model_validator(mode="after")
    def _adds_up(self) -> IndicatorForm:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("指标 id 重复")
        if sum(i.max for i in self.items) != self.total:
            raise ValueError(f"各指标分值之和 {sum(i.max for i in self.items)} 不等于 {self.total}")
        return self


class EnteredForm(_Form):
    """A component whose form the source does not give (an open point): its score is entered as given, never derived.

    ``kaohe score --form`` refuses a file for it with ``note`` (why, and where to enter the score instead).
    """

    kind: Literal["entered"]
    name: str
    clause: str
    note: str = Field(min_length=1)


Form = Annotated[BallotForm | IndicatorForm | EnteredForm, Field(discriminator="kind")]


@dataclass(frozen=True)
class BallotResult:
    """The converted score (precision 2, half up), the exact mean, how many ballots counted and which were set aside."""

    score: Decimal
    exact: Fraction
    valid: int
    invalid: tuple[str, ...]
    item_means: Mapping[str, Fraction]


def ballot_score(form: BallotForm, ballots: Sequence[Mapping[str, str]], *, places: int = 2) -> BallotResult:
    """The 总结测评 score of one person or team from its ballots (item → level word).

    A ballot that leaves an item blank, marks an unknown level or names an unknown item is set aside
    (invalid) with the reason; no valid ballot at all is an error.
    """
    values = {level: to_fraction(value) for level, value in form.levels.items()}
    counted: list[dict[str, Fraction]] = []
    invalid: list[str] = []
    for number, ballot in enumerate(ballots, start=1):
        unknown = sorted(set(ballot) - set(form.items))
        missing = [item for item in form.items if not str(ballot.get(item, "")).strip()]
        wrong = [f"{item}“{ballot[item]}”" for item in form.items
                 if str(ballot.get(item, "")).strip() and str(ballot[item]).strip() not in values]
        if unknown or missing or wrong:
            reasons = ([f"未知项目 {'、'.join(unknown)}"] if unknown else []) + ([f"未填 {'、'.join(missing)}"] if missing else [])
            reasons += [f"无效档次 {'、'.join(wrong)}"] if wrong else []
            invalid.append(f"第{number}张：{'；'.join(reasons)}")
            continue
        counted.append({item: values[str(ballot[item]).strip()] for item in form.items})
    if not counted:
        raise ScoreSheetError(Problem(f"{form.name}没有有效测评票（共{len(ballots)}张）", field=form.name))
    per_ballot = [sum(b.values(), Fraction(0)) / len(form.items) for b in counted]
    exact = sum(per_ballot, Fraction(0)) / len(per_ballot)
    means = {item: sum((b[item] for b in counted), Fraction(0)) / len(counted) for item in form.items}
    return BallotResult(half_up(exact, places), exact, len(counted), tuple(invalid), means)


def indicator_score(form: IndicatorForm, points: Mapping[str, object]) -> Fraction:
    """The component's score: the sum of every indicator's points; every indicator is required and at most its ``max``."""
    problems: list[Problem] = []
    total = Fraction(0)
    for item in form.items:
        raw = points.get(item.id, points.get(item.name))
        if raw is None or str(raw).strip() == "":
            problems.append(Problem(f"缺少“{item.name}”的得分（满分 {item.max}）", field=item.id))
            continue
        try:
            value = to_fraction(raw)
        except (ValueError, ArithmeticError):
            problems.append(Problem(f"“{item.name}”的得分 {raw!r} 不是数字", field=item.id))
            continue
        if not 0 <= value <= to_fraction(item.max):
            problems.append(Problem(f"“{item.name}”的得分 {raw} 超出 0–{item.max}", field=item.id))
            continue
        total += value
    known = {i.id for i in form.items} | {i.name for i in form.items}
    problems += [Problem(f"{form.name}中没有指标“{key}”", field=str(key)) for key in points if key not in known]
    if problems:
        raise ScoreSheetError(problems)
    return total
