"""Group 6 of issue #11: spreadsheets that inflate, declare entities or run on for millions of rows are refused
with one line naming the file and the setting, by every reader (score, verify, score --previous, roster)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hardening_support import kaohe, make_roster, one_line_error
from openpyxl import Workbook

SHEET_HEADER = ["单位代码", "单位名称", "分组", "分组类型", "基础分", "资金投入加分", "存在问题", "改进建议"]
DOCTYPE = b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def _workbook(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with_doctype(data: bytes) -> bytes:
    """The workbook with an entity declaration (and a use of it) in its first sheet's XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                declaration_end = content.index(b"?>") + 2 if content.startswith(b"<?xml") else 0
                content = content[:declaration_end] + DOCTYPE + content[declaration_end:]
            target.writestr(info, content)
    return buffer.getvalue()


def _score_sheet() -> list[list[object]]:
    return [SHEET_HEADER, ["ML-A01", "某局", "弥阳镇", "非贫困乡镇", 90, 1, "", ""]]


@pytest.mark.parametrize("command", ["score", "score --previous", "verify", "cycle create"])
def test_an_entity_declaration_is_refused_by_every_reader(capsys, kaohe_env: Path, tmp_path: Path, mile_cycle, command: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "表.xlsx"
    if command == "cycle create":
        bad.write_bytes(_with_doctype(_workbook([["编码", "名称"], ["ML-A01", "某局"]])))
        args = ["cycle", "create", "mile", "--year", "2018", "--roster", str(bad)]
    elif command == "verify":
        key = mile_cycle(["ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"])
        bad.write_bytes(_with_doctype(_workbook([["指标", "核查分"], ["基础分", 85], ["资金投入加分", 12]])))
        args = ["verify", key, "--unit", "ML-A01", "--scores", str(bad), "--by", "ML-V01"]
    else:
        good = tmp_path / "评分表.xlsx"
        good.write_bytes(_workbook(_score_sheet()))
        bad.write_bytes(_with_doctype(_workbook(_score_sheet() if command == "score" else [["单位代码"], ["ML-A01"]])))
        args = ["score", "mile", "--input", str(bad)] if command == "score" else ["score", "mile", "--input", str(good), "--previous", str(bad)]
    code, _, err = kaohe(capsys, *args)
    line = one_line_error(code, err, exit_code=3)
    assert bad.name in line and "DOCTYPE" in line


def test_a_sheet_that_inflates_past_the_limit_is_refused(capsys, kaohe_env: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KAOHE_MAX_XLSX_UNCOMPRESSED_BYTES", "200000")
    rows = _score_sheet() + [[f"ML-B{n:05d}", "某局", "弥阳镇", "非贫困乡镇", 80, 0, "", ""] for n in range(3000)]
    sheet = tmp_path / "评分表.xlsx"
    sheet.write_bytes(_workbook(rows))
    assert sheet.stat().st_size < 200000
    code, _, err = kaohe(capsys, "score", "mile", "--input", str(sheet))
    line = one_line_error(code, err, exit_code=3)
    assert "KAOHE_MAX_XLSX_UNCOMPRESSED_BYTES" in line and str(sheet) in line


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_rows_past_the_limit_are_refused_while_reading(capsys, kaohe_env: Path, tmp_path: Path, monkeypatch, suffix: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KAOHE_MAX_ROWS", "50")
    rows = _score_sheet() + [[f"ML-B{n:05d}", "某局", "弥阳镇", "非贫困乡镇", 80, 0, "", ""] for n in range(60)]
    sheet = tmp_path / f"评分表{suffix}"
    if suffix == ".xlsx":
        sheet.write_bytes(_workbook(rows))
    else:
        sheet.write_text("\n".join(",".join(map(str, row)) for row in rows) + "\n", encoding="utf-8")
    code, _, err = kaohe(capsys, "score", "mile", "--input", str(sheet))
    assert "KAOHE_MAX_ROWS" in one_line_error(code, err, exit_code=3)
    roster = make_roster(tmp_path / f"roster{suffix}", [f"ML-B{n:03d},某局{n},市级部门,被考核单位,弥阳镇,否,ML-C01,b{n}@example.org" for n in range(60)])
    if suffix == ".xlsx":
        roster.unlink()
        roster.write_bytes(_workbook([["编码", "名称"]] + [[f"ML-B{n:03d}", f"某局{n}"] for n in range(60)]))
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster))
    assert "KAOHE_MAX_ROWS" in one_line_error(code, err, exit_code=3)
