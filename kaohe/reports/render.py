"""Feedback letters and the assessment report from a ScoreReport: markup, HTML, DOCX (pure, bytes/str out)."""

from __future__ import annotations

from kaohe.reports.context import ReportMeta, letter_context, overall_context
from kaohe.reports.document import Block, parse_markup
from kaohe.reports.templates import environment
from kaohe.reports.word import blocks_to_docx
from kaohe.scoring.result import ScoreReport

LETTER_TEMPLATE = "feedback_letter.md.j2"
REPORT_TEMPLATE = "overall_report.md.j2"
HTML_TEMPLATE = "document.html.j2"


def letter_blocks(report: ScoreReport, unit: str, meta: ReportMeta) -> list[Block]:
    """The feedback letter (反馈意见) of one unit as blocks; KeyError if the unit is not in the report."""
    context = letter_context(report, report.result(unit), meta)
    return parse_markup(environment().get_template(LETTER_TEMPLATE).render(context))


def report_blocks(report: ScoreReport, meta: ReportMeta) -> list[Block]:
    """The assessment report (基本情况、指标分析、存在问题、综合评价) as blocks."""
    return parse_markup(environment().get_template(REPORT_TEMPLATE).render(overall_context(report, meta)))


def blocks_html(blocks: list[Block]) -> str:
    """A standalone HTML page of ``blocks``."""
    title = next((b.text for b in blocks if b.kind == "title"), "")
    return environment().get_template(HTML_TEMPLATE).render(blocks=blocks, title=title)


def render_letter_html(report: ScoreReport, unit: str, meta: ReportMeta) -> str:
    """The feedback letter of one unit as HTML."""
    return blocks_html(letter_blocks(report, unit, meta))


def render_letter_docx(report: ScoreReport, unit: str, meta: ReportMeta) -> bytes:
    """The feedback letter of one unit as DOCX."""
    blocks = letter_blocks(report, unit, meta)
    return blocks_to_docx(blocks, blocks[0].text)


def render_report_html(report: ScoreReport, meta: ReportMeta) -> str:
    """The assessment report as HTML."""
    return blocks_html(report_blocks(report, meta))


def render_report_docx(report: ScoreReport, meta: ReportMeta) -> bytes:
    """The assessment report as DOCX."""
    blocks = report_blocks(report, meta)
    return blocks_to_docx(blocks, blocks[0].text)
