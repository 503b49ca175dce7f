"""``read_roster``: a roster file in, every unit out, or every problem at once."""

from __future__ import annotations

from pathlib import Path

from kaohe.bulk import gc_paused
from kaohe.errors import Problem, RosterError
from kaohe.roster.entry import RosterEntry
from kaohe.roster.header import column_letter, header_index, map_header
from kaohe.roster.rows import Layout, check_rows
from kaohe.roster.sheets import read_rows


def read_roster(path: Path | str) -> list[RosterEntry]:
    """Every unit of the roster at ``path`` (CSV or XLSX), in file order; ``RosterError`` lists every bad row.

    The header is the first row naming every required column; title rows above it (an office workbook's
    merged title, a date line) are skipped.
    """
    with gc_paused():
        return _read(Path(path))


def _read(path: Path) -> list[RosterEntry]:
    file = str(path)
    rows = read_rows(path)
    if not rows:
        raise RosterError("文件为空，没有表头也没有数据", file=file)
    start = header_index(rows)
    header_row, header_cells = rows[start]
    columns = map_header(header_cells, header_row, file)
    data = rows[start + 1 :]
    if not data:
        raise RosterError([Problem("名册只有表头，没有任何单位", file=file, row=header_row)])

    headed = {column.index for column in columns}
    gaps = [index for index in range(max((len(cells) for _, cells in data), default=0)) if index not in headed]
    unheaded = sorted({index for _, cells in data for index in gaps if index < len(cells) and cells[index].strip()})
    problems = [
        Problem(f"{column_letter(index)}列有数据但没有表头", file=file, row=header_row, field=f"{column_letter(index)}列")
        for index in unheaded
    ]
    entries, row_problems = check_rows(data, Layout.of(columns), file)
    problems += row_problems
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise RosterError(problems)
    return entries
