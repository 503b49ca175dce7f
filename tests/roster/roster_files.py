"""Writing roster fixtures (CSV in a chosen encoding, XLSX via openpyxl) for the roster tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

HEADER = ["编码", "名称", "角色", "贫困乡镇", "序列", "上级", "邮箱", "手机", "企业微信", "钉钉", "飞书", "回调", "统一社会信用代码"]
GOOD_ROW = ["A01", "弥勒市某局（一）", "被考核单位", "是", "", "", "a01@example.org", "13800138000", "", "", "", "", ""]


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    """``rows`` as CSV text encoded with ``encoding``."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    """Write ``rows`` as a CSV file and return its path."""
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]], formats: dict[str, str] | None = None) -> Path:
    """Write ``rows`` to the first sheet of a new workbook; ``formats`` maps cell names (``"A2"``) to number formats."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    workbook.save(path)
    return path
