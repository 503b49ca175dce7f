"""Feedback letters, the assessment report and the ranking workbook, rendered from a ScoreReport."""

from kaohe.reports.context import ReportMeta, meta_from_scheme
from kaohe.reports.render import (
    letter_blocks,
    render_letter_docx,
    render_letter_html,
    render_report_docx,
    render_report_html,
    report_blocks,
)
from kaohe.reports.workbook import render_ranking_xlsx
from kaohe.reports.writer import write_reports

__all__ = [
    "ReportMeta",
    "letter_blocks",
    "meta_from_scheme",
    "render_letter_docx",
    "render_letter_html",
    "render_ranking_xlsx",
    "render_report_docx",
    "render_report_html",
    "report_blocks",
    "write_reports",
]
