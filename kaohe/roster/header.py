"""Mapping a roster's header row to fields; unknown headers become attribute columns."""

from __future__ import annotations

from dataclasses import dataclass

from kaohe.errors import Problem, RosterError
from kaohe.roster.columns import (
    FIELD_LABELS,
    HEADER_FIELDS,
    REQUIRED_FIELDS,
    header_key,
)
from kaohe.roster.text import tidy_name


@dataclass(frozen=True)
class Column:
    """One headed column: its position, its field (``None`` for an attribute) and its header as written."""

    index: int
    field: str | None
    label: str


def column_letter(index: int) -> str:
    """Spreadsheet letter of the 0-based column ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


TITLE_ROWS_MAX = 10
"""How many rows above the header (titles, notes) the reader looks past."""


def header_index(rows: list[tuple[int, list[str]]]) -> int:
    """Index of the header among ``rows``: the first of the first ``TITLE_ROWS_MAX + 1`` rows that names every
    required column; 0 when none does (so the error names the first row's missing columns)."""
    for index, (_, cells) in enumerate(rows[: TITLE_ROWS_MAX + 1]):
        fields = {HEADER_FIELDS.get(header_key(tidy_name(cell))) for cell in cells}
        if all(field in fields for field in REQUIRED_FIELDS):
            return index
    return 0


def map_header(cells: list[str], row: int, file: str) -> list[Column]:
    """The headed columns of a header row; a missing required or repeated header is an error."""
    problems: list[Problem] = []
    columns: list[Column] = []
    seen: dict[str, Column] = {}
    for index, cell in enumerate(cells):
        label = tidy_name(cell)
        if not label:
            continue
        field = HEADER_FIELDS.get(header_key(label))
        column = Column(index, field, label)
        key = field or f"attribute:{label}"
        if key in seen:
            first = seen[key]
            same = f"（同为“{FIELD_LABELS[field]}”）" if field else ""
            problems.append(
                Problem(
                    f"表头重复：{column_letter(index)}列“{label}”与{column_letter(first.index)}列“{first.label}”{same}",
                    file=file,
                    row=row,
                    field=label,
                )
            )
            continue
        seen[key] = column
        columns.append(column)
    for field in REQUIRED_FIELDS:
        if field not in seen:
            problems.append(
                Problem(f"缺少必需的列“{FIELD_LABELS[field]}”（或 {field}）", file=file, row=row, field=FIELD_LABELS[field])
            )
    if problems:
        raise RosterError(problems)
    return columns
