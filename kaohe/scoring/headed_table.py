"""A small score table read by its header: find the header row, map each column to a key, yield keyed rows.

Used by the sheets whose columns are a fixed set of labels (special verification scores, constraint-indicator
findings). Every problem names the file, the header row and the column.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from kaohe.errors import Problem, ScoreSheetError
from kaohe.scoring.spec import normalize_label
from kaohe.scoring.table import Cell, Table
from kaohe.scoring.values import is_blank

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class HeadedTable:
    """A table with its header row located and each column mapped to a key (None: a column that is ignored)."""

    table: Table
    header: int
    columns: list[str | None]

    def rows(self) -> Iterator[tuple[int, dict[str, Cell]]]:
        """Each row below the header as (row number, {key: cell}), blank rows left out."""
        for number, cells in self.table.rows:
            if number <= self.header:
                continue
            row = {key: cells[i] if i < len(cells) else None for i, key in enumerate(self.columns) if key is not None}
            if not all(is_blank(v) for v in row.values()):
                yield number, row


def headed(table: Table, file: str, known: Mapping[str, str | None], required: Sequence[str],
           labels: Mapping[str, str]) -> HeadedTable:
    """Locate the header (the first of the top rows with a unit-code column) and map its columns.

    ``known`` maps normalised labels to keys (None: a known column that is ignored); ``required`` lists the keys
    that must be present, ``labels`` their names for messages. Raises ScoreSheetError listing every problem:
    no header, an unknown column, a repeated column, a missing one.
    """
    for header, cells in table.rows[:HEADER_SEARCH_ROWS]:
        if any(isinstance(c, str) and known.get(normalize_label(c)) == "unit" for c in cells):
            break
    else:
        raise ScoreSheetError(Problem(f"前{HEADER_SEARCH_ROWS}行中找不到表头（须有“单位代码”列）", file=file))
    problems: list[Problem] = []
    columns: list[str | None] = []
    for index, cell in enumerate(cells, start=1):
        label = "" if cell is None else str(cell).strip()
        key = known.get(normalize_label(label), "?") if label else None
        if key == "?":
            problems.append(Problem(f"未知的列“{label}”（第{index}列）", file=file, row=header, field=label))
            key = None
        elif key is not None and key in columns:
            problems.append(Problem(f"列“{label}”重复", file=file, row=header, field=label))
        columns.append(key)
    problems += [Problem(f"缺少列“{labels[k]}”", file=file, row=header, field=labels[k]) for k in required if k not in columns]
    if problems:
        raise ScoreSheetError(problems)
    return HeadedTable(table, header, columns)
