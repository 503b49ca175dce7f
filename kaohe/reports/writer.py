"""Writing every document of a ScoreReport into a directory: all rendered first, then each file replaced whole."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from kaohe.reports.context import ReportMeta
from kaohe.reports.pdf import render_letter_pdf, render_ranking_pdf, render_report_pdf
from kaohe.reports.render import (
    render_letter_docx,
    render_letter_html,
    render_report_docx,
    render_report_html,
)
from kaohe.reports.workbook import render_ranking_xlsx
from kaohe.scoring.result import ScoreReport

LETTERS_DIR = "反馈意见"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def safe_name(text: str) -> str:
    """``text`` usable as a file name on Windows and Unix."""
    cleaned = _UNSAFE.sub("_", text).strip(" .")
    return cleaned or "_"


def planned_files(report: ScoreReport, meta: ReportMeta) -> dict[str, bytes]:
    """Every file of the report, relative path → content, rendered in memory."""
    files: dict[str, bytes] = {
        "考核报告.html": render_report_html(report, meta).encode("utf-8"),
        "考核报告.docx": render_report_docx(report, meta),
        "考核报告.pdf": render_report_pdf(report, meta),
        "考核排名.xlsx": render_ranking_xlsx(report),
        "考核排名.pdf": render_ranking_pdf(report, meta),
    }
    for result in report.results:
        stem = f"{LETTERS_DIR}/{safe_name(result.unit)}_{safe_name(result.name)}"
        files[f"{stem}.html"] = render_letter_html(report, result.unit, meta).encode("utf-8")
        files[f"{stem}.docx"] = render_letter_docx(report, result.unit, meta)
        files[f"{stem}.pdf"] = render_letter_pdf(report, result.unit, meta)
    return files


def write_reports(report: ScoreReport, out_dir: Path, meta: ReportMeta) -> list[Path]:
    """Render everything, then write each file atomically under ``out_dir``; the paths written, sorted."""
    files = planned_files(report, meta)
    written: list[Path] = []
    for relative, content in files.items():
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return sorted(written)
