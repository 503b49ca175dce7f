"""Reading a roster file into rows of cell text: CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX.

Cell text is raw: cleaning and checking happen later. Row numbers are those a person sees in a
spreadsheet (the first line is row 1); blank rows are dropped but keep their numbers counted.

Numbers in XLSX cells become text without float noise or scientific notation (13800138000.0 ->
"13800138000"); a cell whose number format is all zeros (such as ``000000``) is padded back to that
width. A leading zero lost when the number was typed into a cell without such a format cannot be
recovered: store identifiers as text cells (format ``@``) or give the column a zero-padded format.
Integers above 2**53 stored as numbers have already lost digits inside the file. Only the first
worksheet is read, whatever dimension the file claims.

CSV encoding is told apart by decoding: strict UTF-8 first, then GB18030. A GB18030 file whose bytes
also happen to be valid UTF-8 is read as UTF-8; that needs almost no Chinese text, and never happens
with the Chinese required headers (the GB18030 bytes of 编码 and 名称 are not UTF-8).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from kaohe.errors import RosterError
from kaohe.inputfiles import read_bounded
from kaohe.limits import limits
from kaohe.xlsxsafe import check_xlsx, row_limit_problem

Row = tuple[int, list[str]]

CSV_SUFFIXES = (".csv",)
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_rows(path: Path) -> list[Row]:
    """Every non-blank row of the file at ``path`` as (row number, cell texts)."""
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        hint = "，请在 Excel 中另存为 .xlsx" if suffix == ".xls" else ""
        raise RosterError(f"不支持的名册文件类型“{suffix or '无扩展名'}”，应为 .csv 或 .xlsx{hint}", file=str(path))
    rows = _read_csv(path) if suffix in CSV_SUFFIXES else _read_xlsx(path)
    return [row for row in rows if "".join(row[1]).strip()]


def decode_csv_bytes(data: bytes, file: str) -> str:
    """Text of a CSV file: strict UTF-8 (a BOM is dropped), else GB18030; neither, or NUL bytes, is an error."""
    if b"\x00" in data:
        raise RosterError("文件含 NUL 字节，可能是 UTF-16 文本或二进制文件，请另存为 UTF-8 编码的 CSV", file=file)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RosterError("无法识别文件编码：既不是 UTF-8 也不是 GB18030，请另存为 UTF-8 编码的 CSV", file=file)


def _read_csv(path: Path) -> list[Row]:
    data = read_bounded(path, "名册文件", RosterError, allow_empty=True)
    text = decode_csv_bytes(data, str(path))
    try:
        rows = list(enumerate(islice(csv.reader(io.StringIO(text, newline="")), limits().max_rows + 1), start=1))
    except csv.Error as error:
        raise RosterError(f"CSV 格式有误：{error}", file=str(path)) from None
    if (reason := row_limit_problem(len(rows))) is not None:
        raise RosterError(reason, file=str(path))
    return rows


def _read_xlsx(path: Path) -> list[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    data = read_bounded(path, "名册文件", RosterError)
    check_xlsx(data, str(path), RosterError)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                if not workbook.worksheets:
                    return []
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()
                rows: list[Row] = []
                for number, cells in enumerate(sheet.iter_rows(min_row=1, min_col=1), start=1):
                    if (reason := row_limit_problem(number)) is not None:
                        raise RosterError(reason, file=str(path))
                    rows.append((number, [cell_text(cell.value, getattr(cell, "number_format", None)) for cell in cells]))
                return rows
            finally:
                workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError) as error:
        raise RosterError(f"无法读取 Excel 文件（{type(error).__name__}），请确认是有效的 .xlsx 文件", file=str(path)) from None


_ZERO_PADDED = re.compile(r"0+")


def cell_text(value: Any, number_format: str | None = None) -> str:
    """The text a person reads in an XLSX cell holding ``value``, numbers without float noise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number_text(value, number_format)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _number_text(value: int | float, number_format: str | None) -> str:
    if isinstance(value, float) and not value.is_integer():
        return format(Decimal(repr(value)), "f")
    text = str(int(value))
    section = (number_format or "").split(";")[0].strip()
    if _ZERO_PADDED.fullmatch(section):
        text = text.zfill(len(section)) if not text.startswith("-") else "-" + text[1:].zfill(len(section))
    return text
