"""The arithmetic of dates relative to a parent's: properties over every day of 2016–2026."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from kaohe import dateexpr
from kaohe.planning import shift_date
from kaohe.workdays import load_calendar

CAL = load_calendar()
DAYS = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2026, 12, 1))
COUNTS = st.integers(min_value=1, max_value=30)


def _working_days_in(first: dt.date, stop: dt.date) -> int:
    """Working days d with first <= d < stop."""
    return sum(CAL.is_working_day(first + dt.timedelta(days=i)) for i in range((stop - first).days))


@given(DAYS, COUNTS)
def test_n_working_days_before_is_a_working_day_with_exactly_n_working_days_up_to_the_base(base: dt.date, n: int) -> None:
    earlier = shift_date(base, -n, "working_days", CAL)
    assert CAL.is_working_day(earlier)
    assert earlier < base
    assert _working_days_in(earlier, base) == n  # the child's own day counts, the parent's does not


@given(DAYS, COUNTS)
def test_n_working_days_after_is_a_working_day_with_exactly_n_working_days_from_the_base(base: dt.date, n: int) -> None:
    later = shift_date(base, n, "working_days", CAL)
    assert CAL.is_working_day(later)
    assert _working_days_in(base + dt.timedelta(days=1), later + dt.timedelta(days=1)) == n


@given(DAYS, COUNTS)
def test_back_and_forth_returns_to_a_working_base(base: dt.date, n: int) -> None:
    working = CAL.next_working_day(base)
    assert shift_date(shift_date(working, -n, "working_days", CAL), n, "working_days", CAL) == working


@given(DAYS, st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=20))
def test_a_later_parent_deadline_never_gives_an_earlier_child_deadline(base: dt.date, n: int, extra: int) -> None:
    moved = base + dt.timedelta(days=extra)
    assert shift_date(moved, -n, "working_days", CAL) >= shift_date(base, -n, "working_days", CAL)


@given(DAYS, st.integers(min_value=-40, max_value=40))
def test_calendar_day_shifts_are_plain_day_arithmetic(base: dt.date, n: int) -> None:
    assert shift_date(base, n, "days", CAL) == base + dt.timedelta(days=n)


@given(st.sampled_from(["self_check", "self_report", "comprehensive_evaluation"]), st.sampled_from(["opens", "due"]),
       st.sampled_from(["+", "-"]), st.integers(min_value=0, max_value=99), st.sampled_from(["days", "working_days"]),
       st.sampled_from(["", " ", "  "]))
def test_parent_expressions_parse_back_to_their_parts(stage: str, edge: str, sign: str, count: int, unit: str, space: str) -> None:
    text = f"parent.{stage}.{edge}{space}{sign}{space}{count} {unit}"
    expr = dateexpr.parse(text)
    assert (expr.kind, expr.ref, expr.edge, expr.shift_unit) == ("parent", stage, edge, unit)
    assert expr.shift == (count if sign == "+" else -count)


def test_malformed_parent_expressions_are_refused() -> None:
    for text in ("parent.self_check", "parent..due", "parent.self_check.due - 3 weeks", "parents.self_check.due"):
        try:
            dateexpr.parse(text)
        except ValueError as error:
            assert "无法识别的日期表达式" in str(error)
        else:
            raise AssertionError(f"{text!r} was accepted")
