"""Exact arithmetic for scores: fractions inside, decimals with one stated rounding outside."""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Literal

from kaohe.limits import decimal_problem

RoundingMode = Literal["ROUND_HALF_UP", "ROUND_HALF_EVEN"]
CountRounding = Literal["floor", "ceil", "half_up"]

ROUNDING_NAMES = {"ROUND_HALF_UP": "四舍五入", "ROUND_HALF_EVEN": "四舍六入五成双"}
COUNT_ROUNDING_NAMES = {"floor": "向下取整", "ceil": "向上取整", "half_up": "四舍五入取整"}


def to_decimal(value: object) -> Decimal:
    """A finite Decimal from an int, a Decimal, a float (by its shortest repr) or numeric text; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("应为数值，不是是/否")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数值") from None
    else:
        raise ValueError(f"“{value}”不是数值")
    if not number.is_finite():
        raise ValueError(f"“{value}”不是有限数值")
    if (reason := decimal_problem(number)) is not None:
        raise ValueError(reason)
    return number


def to_fraction(value: object) -> Fraction:
    """An exact Fraction from a number or text such as ``"1/3"`` or ``"0.2"``."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str) and "/" in value:
        numerator, _, denominator = value.partition("/")
        try:
            result = Fraction(int(numerator.strip()), int(denominator.strip()))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"“{value}”不是分数（如 1/3）") from None
        return result
    return Fraction(to_decimal(value))


def round_fraction(value: Fraction, places: int, mode: RoundingMode = "ROUND_HALF_UP") -> Decimal:
    """``value`` rounded exactly to ``places`` decimals (half away from zero, or half to even)."""
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    magnitude = abs(scaled)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    twice = 2 * remainder
    if twice > magnitude.denominator or (
        twice == magnitude.denominator and (mode == "ROUND_HALF_UP" or whole % 2 == 1)
    ):
        whole += 1
    return Decimal(sign * whole).scaleb(-places) if places else Decimal(sign * whole)


def quantize(value: Fraction, places: int, mode: RoundingMode = "ROUND_HALF_UP") -> Decimal:
    """``round_fraction`` with the exponent fixed, so 120 prints as ``120.00``."""
    return round_fraction(value, places, mode).quantize(Decimal(1).scaleb(-places))


def exact_text(value: Fraction, max_places: int = 6) -> str:
    """Plain decimal text of ``value`` when it terminates within ``max_places``, else ``≈`` rounded text."""
    for places in range(max_places + 1):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return format(Decimal(scaled.numerator).scaleb(-places), "f")
    return "≈" + format(round_fraction(value, max_places), "f")


def plain(value: Decimal | Fraction | int) -> str:
    """Text of a number without exponent or trailing zeros (``16.25``, ``100``)."""
    if isinstance(value, Fraction):
        return exact_text(value)
    number = Decimal(value).normalize()
    text = format(number, "f")
    return text


def count_of(size: int, fraction: Fraction, rounding: CountRounding) -> int:
    """How many places ``fraction`` of ``size`` units gives under ``rounding``."""
    product = fraction * size
    whole, remainder = divmod(product.numerator, product.denominator)
    if remainder == 0 or rounding == "floor":
        return whole
    if rounding == "ceil":
        return whole + 1
    return whole + 1 if 2 * remainder >= product.denominator else whole


def fraction_text(value: Fraction) -> str:
    """``1/3`` for a non-decimal ratio, ``20%`` for a ratio that is a whole or short percentage."""
    percent = value * 100
    if (percent * 100).denominator == 1:
        return f"{plain(percent)}%"
    return f"{value.numerator}/{value.denominator}"
