"""Limits on what kaohe reads from people and from other systems, and the pure checks that enforce them.

Each limit is a setting (``KAOHE_MAX_FILE_BYTES`` …, see ``kaohe.settings``). The edge (the CLI, a flow)
builds ``Limits`` from the settings and installs it with ``use_limits``; readers below call ``limits()``
and name the setting in the error they raise, so a person who has a good reason to read a bigger file
knows what to change.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from decimal import Decimal


@dataclass(frozen=True)
class Limits:
    """Every input limit, with its default."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_rows: int = 100_000
    max_xlsx_uncompressed_bytes: int = 512 * 1024 * 1024
    max_decimal_digits: int = 30
    max_decimal_exponent: int = 30
    max_json_depth: int = 64
    evaluator_deadline_seconds: float = 120.0

    @staticmethod
    def setting_name(field: str) -> str:
        """The environment variable of a limit: ``max_rows`` → ``KAOHE_MAX_ROWS``."""
        return "KAOHE_" + field.upper()

    @classmethod
    def from_settings(cls, settings: Any) -> Limits:
        """The limits in ``settings`` (any object with attributes of the same names)."""
        return cls(**{f.name: getattr(settings, f.name) for f in fields(cls) if hasattr(settings, f.name)})


DEFAULT_LIMITS = Limits()
_CURRENT: contextvars.ContextVar[Limits] = contextvars.ContextVar("kaohe_limits", default=DEFAULT_LIMITS)


def limits() -> Limits:
    """The limits in force (the defaults unless the edge installed others)."""
    return _CURRENT.get()


def use_limits(value: Limits) -> None:
    """Install ``value`` as the limits in force for this context (called by the edge)."""
    _CURRENT.set(value)


@contextmanager
def limits_scope() -> Iterator[None]:
    """Whatever limits are installed inside the block are undone when it ends (one CLI command, one flow run)."""
    token = _CURRENT.set(_CURRENT.get())
    try:
        yield
    finally:
        _CURRENT.reset(token)


def decimal_problem(number: Decimal, current: Limits | None = None) -> str | None:
    """Why the number is too long, too large or too small to compute with, or ``None``.

    Checked right after parsing and before any arithmetic, so ``1E-999999999`` costs nothing: the
    significant digits (``KAOHE_MAX_DECIMAL_DIGITS``) and the magnitude of the exponent
    (``KAOHE_MAX_DECIMAL_EXPONENT``) are bounded.
    """
    bound = current or limits()
    if not number.is_finite():
        return None
    _, digits, exponent = number.as_tuple()
    significant = len(digits)
    if significant > bound.max_decimal_digits:
        return f"数字位数过多：{significant} 位有效数字，最多 {bound.max_decimal_digits} 位（设置 KAOHE_MAX_DECIMAL_DIGITS）"
    magnitude = number.adjusted() if number != 0 else int(exponent)
    if abs(int(exponent)) > bound.max_decimal_exponent + bound.max_decimal_digits or abs(magnitude) > bound.max_decimal_exponent:
        return f"数字过大或过小：数量级超过 10 的 ±{bound.max_decimal_exponent} 次方（设置 KAOHE_MAX_DECIMAL_EXPONENT）"
    return None


def json_depth_problem(text: str | bytes, current: Limits | None = None) -> str | None:
    """Why the JSON document ``text`` nests too deeply to parse (``KAOHE_MAX_JSON_DEPTH``), or ``None``.

    A linear scan that skips strings, run before ``json.loads`` so 100,000 ``[`` never reach its recursion.
    """
    bound = (current or limits()).max_json_depth
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    depth = 0
    in_string = escaped = False
    for ch in data:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > bound:
                return f"JSON 嵌套层数超过 {bound} 层（见设置 KAOHE_MAX_JSON_DEPTH）"
        elif ch in "]}":
            depth -= 1
    return None
