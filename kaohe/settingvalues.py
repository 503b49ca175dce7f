"""The values a setting can hold, parsed from the text of a ``KAOHE_*`` variable (or checked when given typed).

Each parser raises ``ValueError`` with the reason in Chinese; ``kaohe.settings`` adds the setting's name.
The text rules follow what pydantic accepted before (surrounding spaces and ``1_000`` for numbers,
``true/false``, ``1/0``, ``yes/no``, ``on/off``, ``t/f``, ``y/n`` in any case for switches), so no
existing configuration changes meaning.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from os import PathLike
from pathlib import Path

_INTEGER = re.compile(r"[+-]?[0-9]+(?:_[0-9]+)*(?:\.0*)?")
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
HIDDEN = "**********"


class SecretStr:
    """A secret (password, token, key): ``repr`` and ``str`` show ``**********``, ``get_secret_value()`` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        """The secret itself."""
        return self._value

    def __repr__(self) -> str:
        return f"SecretStr('{HIDDEN if self._value else ''}')"

    def __str__(self) -> str:
        return HIDDEN if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretStr) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def parse_int(value: object) -> int:
    """An integer: an ``int``, or text such as ``42``, `` 42 ``, ``+42``, ``1_000``, ``42.0``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and _INTEGER.fullmatch(text):
            try:
                return int(text.partition(".")[0])
            except ValueError:
                raise ValueError("应为整数，且不超过 4300 位") from None
    raise ValueError("应为整数")


def parse_float(value: object) -> float:
    """A number: an ``int`` or ``float``, or text such as ``1.5``, ``.5``, ``1e3``, ``inf``; never NaN."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and value.isascii():
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or math.isnan(number):
        raise ValueError("应为数字")
    return number


def parse_bool(value: object) -> bool:
    """A switch: a ``bool``, or ``true/false``, ``1/0``, ``yes/no``, ``on/off``, ``t/f``, ``y/n`` in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError("应为 true 或 false（也可写 1/0、yes/no、on/off）")


def parse_str(value: object) -> str:
    """Text, as given."""
    if isinstance(value, str):
        return value
    raise ValueError("应为文本")


def parse_path(value: object) -> Path:
    """A file or directory path (not resolved, ``~`` kept as written)."""
    if isinstance(value, str | PathLike):
        return Path(value)
    raise ValueError("应为路径")


def parse_secret(value: object) -> SecretStr:
    """A secret: text, or anything with ``get_secret_value()`` (another SecretStr)."""
    reveal = getattr(value, "get_secret_value", None)
    if callable(reveal):
        value = reveal()
    return SecretStr(parse_str(value))


def parse_text_map(value: object) -> dict[str, str]:
    """Names to texts: a mapping, or a JSON object such as ``{"overdue": "SMS_123"}``."""
    import json

    example = '应为 JSON 对象，键和值都是文本，例如 {"overdue": "SMS_123"}'
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise ValueError(example) from None
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(example)
    return dict(value)


def within(number: float, *, gt: float | None = None, ge: float | None = None, le: float | None = None) -> None:
    """``ValueError`` naming the bound if ``number`` is not within it."""
    if gt is not None and not number > gt:
        raise ValueError(f"应大于 {gt:g}")
    if ge is not None and not number >= ge:
        raise ValueError(f"应不小于 {ge:g}")
    if le is not None and not number <= le:
        raise ValueError(f"应不大于 {le:g}")


def hh_mm(value: object) -> str:
    """A time of day ``HH:MM`` (``9:5`` becomes ``09:05``)."""
    hour, _, minute = parse_str(value).partition(":")
    if not (hour.isdecimal() and minute.isdecimal() and len(hour) <= 4 and len(minute) <= 4
            and 0 <= int(hour) < 24 and 0 <= int(minute) < 60):
        raise ValueError("应为 HH:MM，例如 09:00")
    return f"{int(hour):02d}:{int(minute):02d}"
