"""Cleaning of cell text: NFKC for machine identifiers, whitespace tidying for names."""

from __future__ import annotations

import unicodedata


def fold_width(value: str) -> str:
    """NFKC-normalise an identifier-like value (code, phone, email, credit code, URL) and strip it."""
    return unicodedata.normalize("NFKC", value).strip()


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def tidy_name(value: str) -> str:
    """Strip surrounding (also full-width) whitespace; inner runs become one space, or none next to CJK text."""
    parts = value.split()
    if not parts:
        return ""
    tidy = parts[0]
    for part in parts[1:]:
        tidy += part if _is_wide(tidy[-1]) or _is_wide(part[0]) else " " + part
    return tidy
