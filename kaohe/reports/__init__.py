"""Feedback letters, the assessment report and the ranking workbook, rendered from a ScoreReport."""

from kaohe.reports.context import ReportMeta, chinese_date, meta_from_scheme, name_list
from kaohe.reports.pdf import blocks_to_pdf, render_letter_pdf, render_ranking_pdf, render_report_pdf
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
    "blocks_to_pdf",
    "chinese_date",
    "name_list",
    "render_letter_pdf",
    "render_ranking_pdf",
    "render_report_pdf",
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
