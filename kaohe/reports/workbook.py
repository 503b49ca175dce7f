"""The ranking as an XLSX workbook: unit codes as text, totals as numbers shown with the report's precision."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.reports.cells import set_cell
from kaohe.scoring.result import ScoreReport, UnitResult


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


def _format(places: int) -> str:
    return "0." + "0" * places if places else "0"


def ranking_table(report: ScoreReport) -> tuple[list[str], list[list[object]]]:
    """The ranking's header and one row per unit; columns empty for every unit are left out."""
    overall = any(r.overall_rank is not None for r in report.results)
    components = list(dict.fromkeys((c.id, c.name) for r in report.results for c in r.components))
    selections = list(report.selection_names.items())
    rules = list(dict.fromkeys((f.rule, f.name) for r in report.results for f in r.multi_year))
    headers = ["分组", "组内排名", *(["总排名"] if overall else []), "单位代码", "单位名称"]
    headers += [name for _, name in components] + ["加分", "扣分", "总分"]
    headers += ["按分数等次", "等次"] if report.grade_names else []
    headers += [name for _, name in selections] + [name for _, name in rules]

    def row_of(result: UnitResult) -> list[object]:
        """One unit's cells, in header order."""
        lines = {c.id: c for c in result.components}
        row: list[object] = [result.group_name, result.rank, *([result.overall_rank] if overall else [])]
        row += [result.unit, result.name]
        row += [
            Decimal(report.shown(lines[cid].contribution)) if cid in lines and not lines[cid].missing else None
            for cid, _ in components
        ]
        row += [Decimal(report.shown(result.bonus_applied)), Decimal(report.shown(result.penalty_applied)), result.total]
        row += [result.grade_before_quota, result.grade] if report.grade_names else []
        row += [_yes_no(None if result.decision(sid) is None else result.selected(sid)) for sid, _ in selections]
        flags = {f.rule: f.triggered for f in result.multi_year}
        row += [_yes_no(flags.get(rid)) for rid, _ in rules]
        return row

    rows = [row_of(result) for result in report.results]
    always = {"分组", "组内排名", "单位代码", "单位名称", "总分"}
    keep = [i for i, title in enumerate(headers) if title in always or any(row[i] is not None for row in rows)]
    headers = [headers[i] for i in keep]
    rows = [[row[i] for i in keep] for row in rows]
    return headers, rows


def render_ranking_xlsx(report: ScoreReport) -> bytes:
    """The ranking of every unit (sheet 排名, readable back as last year's results) and the settings (sheet 说明)."""
    headers, rows = ranking_table(report)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "排名"
    for column, title in enumerate(headers, start=1):
        set_cell(sheet.cell(row=1, column=column), title)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    code_column = headers.index("单位代码")
    first_score, total_column = headers.index("单位名称") + 1, headers.index("总分")
    for number, cells in enumerate(rows, start=2):
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=number, column=column)
            set_cell(cell, value, text=column - 1 == code_column)
            if column - 1 == code_column:
                continue
            if column - 1 == total_column:
                cell.number_format = _format(report.precision)
            elif first_score <= column - 1 < total_column:
                cell.number_format = _format(report.display_precision)
    for index, title in enumerate(headers, start=1):
        widest = max([_display_width(title)] + [_display_width(row[index - 1]) for row in rows])
        sheet.column_dimensions[get_column_letter(index)].width = min(40, max(8, widest + 2))
    sheet.freeze_panes = "A2"
    _print_setup(sheet)
    _settings_sheet(workbook, report)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _display_width(value: object) -> int:
    """Columns a value takes when printed: a Chinese character counts two."""
    text = "" if value is None else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _print_setup(sheet: Worksheet) -> None:
    """A4 landscape, all columns on one page width, the header row repeated on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5


def _settings_sheet(workbook: Workbook, report: ScoreReport) -> None:
    sheet = workbook.create_sheet("说明")
    settings = report.settings_used
    rows: list[tuple[str, str]] = [
        ("项目", "内容"), ("方案", report.scheme), ("计分精度", settings["rounding_rule"]),
        ("分项列", "各分项列为加权后得分（原始得分×折算后权重），总分列为公布的总分"),
        ("并列规则", "；".join(settings["tie_break_text"])),
    ]
    if settings.get("grades"):
        rows.append(("等次区间之间的分数", settings["grades"]["gap_policy_text"]))
    rows += [("原文未规定事项", assumption["text"]) for assumption in settings["assumptions"]]
    rows += [("说明", note) for note in report.notes]
    for number, (label, content) in enumerate(rows, start=1):
        set_cell(sheet.cell(row=number, column=1), label)
        set_cell(sheet.cell(row=number, column=2), content)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 120
