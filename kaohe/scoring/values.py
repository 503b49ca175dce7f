"""Reading one cell: blank, yes/no, whole counts, numbers (shared by the engine and the sheet reader)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from kaohe.scoring.inputs import RawValue
from kaohe.scoring.numbers import to_decimal

YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有"}
NO = {"否", "n", "no", "false", "0", "×", "✗", "无", ""}
NO_TASK = {"", "无任务", "无", "/", "-", "—", "不适用"}


def text_of(value: RawValue) -> str:
    """The value as stripped NFKC text (None → empty)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: RawValue) -> bool:
    """Whether a cell is empty."""
    return text_of(value) == ""


def is_no_task(value: RawValue) -> bool:
    """Whether a component cell says the unit had no such task this year (blank, 无任务, /, -)."""
    return text_of(value).lower() in NO_TASK


def yes_no(value: RawValue) -> bool:
    """是/否 (also 1/0, Y/N, true/false, √/×, blank = 否); ValueError otherwise."""
    if isinstance(value, bool):
        return value
    text = text_of(value).lower()
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        text = format(to_decimal(value).normalize(), "f")
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"“{value}”应为 是 或 否")


def whole_count(value: RawValue) -> int:
    """A non-negative whole number (blank = 0; 是 = 1, 否 = 0); ValueError otherwise."""
    text = text_of(value).lower()
    if text in NO:
        return 0
    if text in YES - {"1"}:
        return 1
    number = to_decimal(value if not isinstance(value, str) else text)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(f"“{value}”应为非负整数")
    return int(number)


def amount(value: RawValue) -> Decimal:
    """A non-negative number (blank = 0); ValueError otherwise."""
    if is_blank(value):
        return Decimal(0)
    number = to_decimal(value)
    if number < 0:
        raise ValueError(f"“{value}”不能为负数")
    return number
