"""The Jinja2 environment of the report templates (``kaohe/templates/reports``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from kaohe.reports.document import cell, lead, line

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "reports"
_DIGITS = "零一二三四五六七八九"


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (1–99)."""
    if not 0 < value < 100:
        return str(value)
    tens, ones = divmod(value, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[ones] if ones else "")


def sentence(value: object, starts_line: bool = True) -> str:
    """A value as one sentence ending with a full stop (unless it ends with punctuation already)."""
    text = lead(value) if starts_line else line(value)
    return text if not text or text[-1] in "。！？；：" else text + "。"


@lru_cache
def environment() -> Environment:
    """One environment: strict about undefined names, HTML escaped only in ``*.html.j2`` templates."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
    )
    env.filters["cell"] = cell
    env.filters["line"] = line
    env.filters["lead"] = lead
    env.filters["chinese_number"] = chinese_number
    env.filters["sentence"] = sentence
    return env
