"""Blocks to a DOCX file (python-docx): A4, 仿宋 body, 黑体/楷体 headings, Chinese fonts set via ``w:eastAsia``."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

from kaohe.reports.document import Block

LATIN = "Times New Roman"
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体"
TABLE_SIZE = Pt(10.5)


def set_fonts(style: BaseStyle, east_asia: str, size: Pt, *, bold: bool = False) -> None:
    """Give ``style`` a Chinese (``w:eastAsia``) and a Latin font, black, at ``size``; drop theme fonts."""
    font = style.font  # type: ignore[attr-defined]
    font.name = LATIN
    font.size = size
    font.bold = bold
    font.color.rgb = RGBColor(0, 0, 0)
    properties = style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), LATIN)
    fonts.set(qn("w:hAnsi"), LATIN)
    fonts.set(qn("w:eastAsia"), east_asia)


def blocks_to_docx(blocks: list[Block], title: str) -> bytes:
    """A DOCX file of ``blocks``."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    document.core_properties.title = title
    styles = document.styles
    set_fonts(styles["Normal"], BODY_FONT, Pt(16))
    set_fonts(styles["Title"], TITLE_FONT, Pt(22), bold=True)
    set_fonts(styles["Heading 1"], HEADING_FONT, Pt(16))
    set_fonts(styles["Heading 2"], SUBHEADING_FONT, Pt(16))
    for block in blocks:
        _add(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add(document: DocxDocument, block: Block) -> None:
    if block.kind in ("header", "number"):
        paragraph = document.add_paragraph(block.text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.kind == "seal":
        for _ in range(3):
            document.add_paragraph("")
    elif block.kind == "title":
        paragraph = document.add_paragraph(block.text, style="Title")
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif block.kind == "heading":
        document.add_paragraph(block.text, style="Heading 1")
    elif block.kind == "subheading":
        document.add_paragraph(block.text, style="Heading 2")
    elif block.kind == "signature":
        paragraph = document.add_paragraph(block.text)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif block.kind == "table":
        _table(document, block.rows)
    else:
        paragraph = document.add_paragraph(block.text)
        paragraph.paragraph_format.first_line_indent = Pt(32)


def _table(document: DocxDocument, rows: tuple[tuple[str, ...], ...]) -> None:
    width = max(len(row) for row in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = document.styles["Table Grid"]
    for r, row in enumerate(rows):
        for c in range(width):
            paragraph = table.cell(r, c).paragraphs[0]
            run = paragraph.add_run(row[c] if c < len(row) else "")
            run.font.size = TABLE_SIZE
            run.font.bold = r == 0
