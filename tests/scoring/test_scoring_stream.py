"""The JSON printed piece by piece is exactly ``json.dumps`` of the report's data, compact and indented,
with and without the explanation, also past the 500-unit pieces of the compact form; the fast decimal
totals agree with the exact fraction explanation of every unit."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from kaohe.scoring import ScoringSpec, UnitInput, score


def units(count: int) -> list[UnitInput]:
    """Mile units over three townships with scores that tie and a fund bonus that is sometimes capped."""
    return [UnitInput(unit=f"U{n:05d}", name=f"单位{n}", group=("西一镇", "东山镇", "弥阳镇")[n % 3],
                      kind="非贫困乡镇" if n % 3 == 2 else "贫困乡镇", values={"base": Decimal(100 + n % 97) / 2},
                      items={"fund_input": None if n % 4 == 0 else Decimal(n % 61) / 3}) for n in range(count)]


@pytest.mark.parametrize("count", [1, 7, 1201])
@pytest.mark.parametrize(("explain", "indent"), [(False, None), (True, 2), (False, 2), (True, None)])
def test_streamed_json_is_json_dumps(mile: ScoringSpec, count: int, explain: bool, indent: int | None) -> None:
    report = score(mile, units(count))
    separators = (",", ":") if indent is None else None
    expected = json.dumps(report.to_dict(explain=explain), ensure_ascii=False, indent=indent, separators=separators)
    assert "".join(report.iter_json(explain=explain, indent=indent)) == expected


def test_decimal_totals_agree_with_the_fraction_explanation(mile: ScoringSpec) -> None:
    for result in score(mile, units(400)).results:
        explained = result.explanation(keep=False)
        assert result.total == explained.total and format(result.total, "f") == format(explained.total, "f")
        assert result.key[1] == -explained.components[0].contribution
        assert Fraction(result.total) == Fraction(explained.total)
