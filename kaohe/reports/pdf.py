"""Letters, the assessment report and the ranking as PDF (A4), with reportlab's built-in CID font.

``STSong-Light`` is one of the Adobe Asian fonts every PDF reader carries: nothing to install or embed,
and the text stays extractable. Pure: a ScoreReport in, bytes out.
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from kaohe.reports.context import ReportMeta
from kaohe.reports.document import Block
from kaohe.reports.render import letter_blocks, report_blocks
from kaohe.reports.workbook import ranking_table
from kaohe.scoring.result import ScoreReport

FONT = "STSong-Light"
PORTRAIT_MARGINS = {"topMargin": 37 * mm, "bottomMargin": 35 * mm, "leftMargin": 28 * mm, "rightMargin": 26 * mm}
LANDSCAPE_MARGINS = {"topMargin": 15 * mm, "bottomMargin": 15 * mm, "leftMargin": 12 * mm, "rightMargin": 12 * mm}


@lru_cache
def _styles() -> dict[str, ParagraphStyle]:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("body", fontName=FONT, fontSize=14, leading=24, firstLineIndent=28, wordWrap="CJK")
    return {
        "header": ParagraphStyle("header", parent=base, fontSize=24, leading=34, alignment=TA_CENTER, firstLineIndent=0,
                                 textColor=colors.HexColor("#cc0000")),
        "number": ParagraphStyle("number", parent=base, alignment=TA_CENTER, firstLineIndent=0, spaceAfter=12),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=30, alignment=TA_CENTER, firstLineIndent=0,
                                spaceBefore=6, spaceAfter=12),
        "heading": ParagraphStyle("heading", parent=base, fontSize=15, firstLineIndent=0, spaceBefore=6),
        "subheading": ParagraphStyle("subheading", parent=base, firstLineIndent=0),
        "paragraph": base,
        "signature": ParagraphStyle("signature", parent=base, alignment=TA_RIGHT, firstLineIndent=0),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12, firstLineIndent=0),
    }


def _text(value: object) -> str:
    return escape("" if value is None else str(value))


def _table(rows: list[list[object]], width: float, *, font_size: float = 9) -> Table:
    """A table whose columns share ``width`` by their content (a Chinese character counts two), header repeated."""
    style = ParagraphStyle("cell", parent=_styles()["cell"], fontSize=font_size, leading=font_size * 1.35)
    widths = [max(4, max(_display_width(row[i]) for row in rows)) for i in range(len(rows[0]))]
    capped = [min(w, 40) for w in widths]
    scale = width / sum(capped)
    table = Table([[Paragraph(_text(cell), style) for cell in row] for row in rows],
                  colWidths=[w * scale for w in capped], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _flowables(blocks: list[Block], width: float) -> list[Flowable]:
    styles = _styles()
    story: list[Flowable] = []
    for block in blocks:
        if block.kind == "table":
            story += [_table([list(r) for r in block.rows], width), Spacer(1, 6)]
        elif block.kind == "seal":
            story.append(Spacer(1, 40 * mm))
        else:
            story.append(Paragraph(_text(block.text), styles[block.kind]))
    return story


def blocks_to_pdf(blocks: list[Block], title: str) -> bytes:
    """An A4 portrait PDF of ``blocks`` (公文 margins: 37/35/28/26 mm)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, title=title, **PORTRAIT_MARGINS)
    document.build(_flowables(blocks, document.width))
    return buffer.getvalue()


def render_letter_pdf(report: ScoreReport, unit: str, meta: ReportMeta) -> bytes:
    """The feedback letter (反馈意见) of one unit as an A4 PDF; KeyError if the unit is not in the report."""
    blocks = letter_blocks(report, unit, meta)
    return blocks_to_pdf(blocks, next(b.text for b in blocks if b.kind == "title"))


def render_report_pdf(report: ScoreReport, meta: ReportMeta) -> bytes:
    """The assessment report (考核报告) as an A4 PDF."""
    blocks = report_blocks(report, meta)
    return blocks_to_pdf(blocks, next(b.text for b in blocks if b.kind == "title"))


def render_ranking_pdf(report: ScoreReport, meta: ReportMeta) -> bytes:
    """The ranking on A4 landscape: every column within the page width, the header row repeated on each page."""
    headers, rows = ranking_table(report)
    head: list[object] = list(headers)
    shown = [head, *([_cell(value) for value in row] for row in rows)]
    buffer = io.BytesIO()
    title = f"{meta.year}年度{meta.title}考核排名"
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, **LANDSCAPE_MARGINS)
    styles = _styles()
    story: list[Flowable] = [Paragraph(_text(title), styles["title"]), _table(shown, document.width, font_size=8),
                             Spacer(1, 6), Paragraph(_text(f"{meta.issuer}　{meta.issued_text}"), styles["signature"])]
    document.build(story)
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
