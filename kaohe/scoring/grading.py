"""Grade of a published total under the source's bands and the stated gap policy."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from kaohe.scoring.numbers import plain, round_fraction
from kaohe.scoring.spec import GAP_POLICY_NAMES, Band, Grades


class GapError(ValueError):
    """A total lies between two bands and the policy says a person must decide."""


def grade_of(total: Decimal, grades: Grades) -> tuple[str, str]:
    """The grade of ``total`` and the reason, in Chinese; GapError under ``gap_policy: error``."""
    shown = format(total, "f")
    band = _containing(total, grades.bands)
    if band is not None:
        return band.grade, f"总分 {shown}，属“{band.grade}”区间（{band.describe()}）"
    gap = f"总分 {shown} 不在原文任何等次区间内（{_neighbours(total, grades.bands)}）"
    policy = GAP_POLICY_NAMES[grades.gap_policy]
    if grades.gap_policy == "error":
        raise GapError(f"{gap}；gap_policy=error：{policy}")
    if grades.gap_policy == "round":
        whole = round_fraction(Fraction(total), 0)
        band = _containing(whole, grades.bands)
        if band is not None:
            return band.grade, f"{gap}；按本方案的处理办法（{policy}）取整为 {whole}，属“{band.grade}”（{band.describe()}）"
        band = _below(total, grades.bands)
    elif grades.gap_policy == "upper":
        band = _above(total, grades.bands)
    else:
        band = _below(total, grades.bands)
    if band is None:
        raise GapError(f"{gap}，且按 gap_policy={grades.gap_policy} 也无法确定等次")
    return band.grade, f"{gap}；按本方案的处理办法（{policy}），评为“{band.grade}”"


def _containing(total: Decimal, bands: list[Band]) -> Band | None:
    return next((b for b in bands if b.contains(total)), None)


def _below(total: Decimal, bands: list[Band]) -> Band | None:
    lower = [b for b in bands if b.max is not None and b.max < total]
    return max(lower, key=lambda b: b.max or 0, default=None)


def _above(total: Decimal, bands: list[Band]) -> Band | None:
    higher = [b for b in bands if b.min is not None and b.min > total]
    return min(higher, key=lambda b: b.min or 0, default=None)


def _neighbours(total: Decimal, bands: list[Band]) -> str:
    below, above = _below(total, bands), _above(total, bands)
    parts = []
    if below is not None and below.max is not None:
        parts.append(f"“{below.grade}”至 {plain(below.max)} 分")
    if above is not None and above.min is not None:
        parts.append(f"“{above.grade}”自 {plain(above.min)} 分")
    return "，".join(parts) if parts else "无相邻区间"
