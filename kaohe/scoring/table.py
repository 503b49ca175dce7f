"""Rows of a CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX file as plain cells; file-level problems raised."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from kaohe.errors import Problem, ScoreSheetError
from kaohe.limits import limits
from kaohe.scoring.numbers import to_decimal
from kaohe.xlsxsafe import check_xlsx, row_limit_problem

Cell = str | Decimal | None
ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Table:
    """A sheet's rows; ``rows`` pairs each 1-based row number with its cells."""

    file: str
    rows: list[tuple[int, list[Cell]]]


def read_table(data: bytes, file: str) -> Table:
    """The rows of a ``.csv`` or ``.xlsx`` file given as bytes; ScoreSheetError if it cannot be read."""
    suffix = file.lower().rsplit(".", 1)[-1] if "." in file else ""
    if suffix == "csv":
        return Table(file, _csv_rows(data, file))
    if suffix in {"xlsx", "xlsm"}:
        return Table(file, _xlsx_rows(data, file))
    raise ScoreSheetError(Problem("只支持 .csv 和 .xlsx 文件", file=file))


def _csv_rows(data: bytes, file: str) -> list[tuple[int, list[Cell]]]:
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise ScoreSheetError(Problem("无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GB18030）", file=file))
    rows: list[tuple[int, list[Cell]]] = []
    bound = limits().max_rows
    try:
        for number, record in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > bound and (reason := row_limit_problem(number)) is not None:
                raise ScoreSheetError(Problem(reason, file=file))
            rows.append((number, [cell if cell.strip() else None for cell in record]))
    except csv.Error as error:
        raise ScoreSheetError(Problem(f"CSV 格式错误：{error}", file=file)) from None
    return rows


def _xlsx_rows(data: bytes, file: str) -> list[tuple[int, list[Cell]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx(data, file, ScoreSheetError)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError):
        raise ScoreSheetError(Problem("不是有效的 XLSX 文件", file=file)) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Cell]]] = []
        problems: list[Problem] = []
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if (reason := row_limit_problem(number)) is not None:
                    raise ScoreSheetError(Problem(reason, file=file))
                cells: list[Cell] = []
                for column, value in enumerate(values, start=1):
                    try:
                        cells.append(_xlsx_cell(value))
                    except ValueError as error:
                        cells.append(None)
                        problems.append(Problem(f"第{column}列：{error}", file=file, row=number))
                rows.append((number, cells))
        except (SyntaxError, KeyError, zipfile.BadZipFile, EOFError) as error:
            raise ScoreSheetError(Problem(f"Excel 文件内容无法解析（{type(error).__name__}），请在 Excel 中另存为 .xlsx 后重试", file=file)) from None
    finally:
        workbook.close()
    if problems:
        raise ScoreSheetError(problems)
    return rows


def _xlsx_cell(value: object) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return to_decimal(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ValueError(f"单元格为日期/时间（{value}），应为数值或文本")
    text = str(value)
    if text.startswith("#"):
        raise ValueError(f"单元格为公式错误值 {text}")
    return text if text.strip() else None
