"""Spreadsheet cells that hold what people typed: never a formula, never an illegal character."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet program could take ``text`` for a formula (it starts with = + - @, tab or CR)."""
    return text.startswith(FORMULA_STARTS)


def set_cell(cell: Cell, value: object, *, text: bool = False) -> None:
    """Put ``value`` into ``cell``; strings lose illegal characters and one that looks like a formula (or any
    string when ``text``) is stored as text with the ``@`` format, so no program evaluates it."""
    if isinstance(value, str):
        cleaned = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = cleaned
        if text or looks_like_formula(cleaned):
            cell.data_type = "s"
            cell.number_format = "@"
            cell.quotePrefix = True
        return
    cell.value = value
