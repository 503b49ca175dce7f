"""Writing every document of a report into a directory."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from kaohe.reports import ReportMeta, write_reports
from kaohe.reports.writer import safe_name
from kaohe.scoring import ScoreReport


def test_write_reports(mile_report: ScoreReport, mile_meta: ReportMeta, tmp_path: Path) -> None:
    written = write_reports(mile_report, tmp_path / "out", mile_meta)
    relative = sorted(str(p.relative_to(tmp_path / "out")) for p in written)
    assert relative == sorted(
        ["考核报告.html", "考核报告.docx", "考核报告.pdf", "考核排名.xlsx", "考核排名.pdf"]
        + [f"反馈意见/{code} {name}.{ext}" for code, name in [("0101", "市财政局"), ("0102", "市教育局"), ("0103", "市水务局"),
                                                               ("0104", "市林草局"), ("0201", "某建材公司")] for ext in ("html", "docx", "pdf")]
    )
    assert not list((tmp_path / "out").rglob("*.part"))
    letter = docx.Document(io.BytesIO((tmp_path / "out" / "反馈意见" / "0104 市林草局.docx").read_bytes()))
    assert letter.paragraphs[1].text == "市林草局："


def test_rewriting_replaces_files(mile_report: ScoreReport, mile_meta: ReportMeta, tmp_path: Path) -> None:
    first = write_reports(mile_report, tmp_path, mile_meta)
    second = write_reports(mile_report, tmp_path, mile_meta)
    assert first == second
    assert (tmp_path / "考核报告.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_safe_name() -> None:
    assert safe_name('a/b\\c:d*e?"f<g>h|i') == "a_b_c_d_e__f_g_h_i"
    assert safe_name(" . ") == "_"
