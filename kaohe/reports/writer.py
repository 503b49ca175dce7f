"""Writing every document of a ScoreReport into a directory: all rendered first, then each file replaced whole."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from kaohe.inputfiles import storage_error
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
from kaohe.unitcodes import letter_stem

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
        stem = f"{LETTERS_DIR}/{letter_stem(result.unit, result.name)}"
        files[f"{stem}.html"] = render_letter_html(report, result.unit, meta).encode("utf-8")
        files[f"{stem}.docx"] = render_letter_docx(report, result.unit, meta)
        files[f"{stem}.pdf"] = render_letter_pdf(report, result.unit, meta)
    return files


def write_reports(report: ScoreReport, out_dir: Path, meta: ReportMeta) -> list[Path]:
    """Render everything, write it into a hidden directory beside ``out_dir`` and move that into place whole;
    the paths written, sorted. An existing ``out_dir`` is replaced only once the new one is complete; on any
    failure (a full disk is a StorageError) nothing of this run is left and the old directory stays."""
    files = planned_files(report, meta)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".part", dir=out_dir.parent))
    except OSError as error:
        raise storage_error(out_dir, error) from None
    old: Path | None = None
    try:
        for relative, content in files.items():
            target = aside / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
        if out_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
            os.rename(out_dir, old / "previous")
        os.rename(aside, out_dir)
    except BaseException as error:
        shutil.rmtree(aside, ignore_errors=True)
        if old is not None and (old / "previous").exists() and not out_dir.exists():
            os.rename(old / "previous", out_dir)
        if isinstance(error, OSError):
            raise storage_error(out_dir, error) from None
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return sorted(out_dir / relative for relative in files)
