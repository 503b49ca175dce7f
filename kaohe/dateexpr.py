"""Date expressions of scheme files, written relative to the assessment year Y.

Grammar (spaces optional around the sign)::

    expr   := base [ ("+" | "-") N ("days" | "working_days") ]
    base   := "Y" ["+" | "-" digit] "-" MM "-" (DD | "last")     e.g. Y+1-01-23, Y+1-02-last, Y-12-01
            | "stage." STAGE_ID "." ("opens" | "due")            another stage's final date
            | "parent." STAGE "." ("opens" | "due")              a stage of the parent scheme's cycle
            | "event." EVENT_ID                                    a date the coordinator sets per cycle

``last`` is the last day of that month (29 February in leap years). ``parent.`` is allowed only in a
scheme that names a ``parent``; STAGE is a parent stage id (or a stage kind the parent has once, e.g.
``parent.self_report.due``), and the date is the parent cycle's final one, after its extensions.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

_PATTERN = re.compile(
    r"""^\s*(?:
        Y(?P<offset>[+-]\d)?-(?P<month>\d{2})-(?P<day>\d{2}|last)
      | (?P<scope>stage|parent)\.(?P<stage>[a-z][a-z0-9_]*)\.(?P<edge>opens|due)
      | event\.(?P<event>[a-z][a-z0-9_]*)
    )\s*(?:(?P<sign>[+-])\s*(?P<count>\d+)\s*(?P<unit>days|working_days))?\s*$""",
    re.VERBOSE,
)


MAX_SHIFT = {"days": 3660, "working_days": 2500}
"""The largest offset a scheme may write: about ten years, far beyond any assessment calendar."""


@dataclass(frozen=True)
class DateExpr:
    """A parsed date expression; ``kind`` says what it is relative to."""

    text: str
    kind: Literal["year", "stage", "parent", "event"]
    year_offset: int = 0
    month: int = 0
    day: int | Literal["last"] = 0
    ref: str | None = None
    edge: Literal["opens", "due"] | None = None
    shift: int = 0
    shift_unit: Literal["days", "working_days"] = "days"


def parse(text: str) -> DateExpr:
    """Parse an expression; raise ValueError with a Chinese reason when it is malformed."""
    match = _PATTERN.match(str(text))
    if not match:
        raise ValueError(f"无法识别的日期表达式 {text!r}（应如 Y+1-01-23、Y+1-02-last、stage.self_report.due - 3 days、"
                         "parent.self_report.due - 3 working_days、event.meeting）")
    unit = match["unit"] or "days"
    if len(match["count"] or "") > 6 or int(match["count"] or 0) > MAX_SHIFT[unit]:
        raise ValueError(f"{text!r}：偏移 {match['count']} {unit} 过大（最多 {MAX_SHIFT[unit]} {unit}，约十年）")
    shift = int(match["count"] or 0) * (-1 if match["sign"] == "-" else 1)
    if match["stage"]:
        return DateExpr(text, match["scope"], ref=match["stage"], edge=match["edge"], shift=shift, shift_unit=unit)  # type: ignore[arg-type]
    if match["event"]:
        return DateExpr(text, "event", ref=match["event"], shift=shift, shift_unit=unit)  # type: ignore[arg-type]
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r}：月份 {month} 不在 1–12 之间")
    day: int | Literal["last"] = "last" if match["day"] == "last" else int(match["day"])
    if day != "last" and not 1 <= day <= 31:
        raise ValueError(f"{text!r}：日 {day} 不在 1–31 之间")
    if day != "last" and day > _max_day(month):
        raise ValueError(f"{text!r}：{month}月没有{day}日")
    return DateExpr(text, "year", year_offset=int(match["offset"] or 0), month=month, day=day,
                    shift=shift, shift_unit=unit)  # type: ignore[arg-type]


def _max_day(month: int) -> int:
    return 29 if month == 2 else calendar.monthrange(2001, month)[1]


def resolve_year_date(expr: DateExpr, year: int) -> dt.date:
    """The calendar date of a ``Y…`` expression for assessment year ``year`` (before any shift)."""
    target_year = year + expr.year_offset
    if expr.day == "last":
        return dt.date(target_year, expr.month, calendar.monthrange(target_year, expr.month)[1])
    if expr.month == 2 and expr.day == 29 and not calendar.isleap(target_year):
        raise ValueError(f"{expr.text!r}：{target_year}年不是闰年，没有2月29日（请用 Y+1-02-last）")
    return dt.date(target_year, expr.month, expr.day)
