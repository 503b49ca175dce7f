"""The overdue list as an XLSX workbook; every text cell a person typed is escaped against formula injection."""

from __future__ import annotations

import io

from openpyxl import Workbook

from kaohe.clock import BEIJING
from kaohe.web.queries import CHANNEL_NAMES, FILTER_ATTRIBUTES, FILTER_NAMES, MESSAGE_STATUS, OverdueRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula, prefixed with an apostrophe so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def overdue_xlsx(rows: list[OverdueRow], *, title: str) -> bytes:
    """The overdue list: unit, roster attributes, stage, due, overdue working days, last reminder, supervisor."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("逾期单位")
    sheet.append([safe_cell(title)])
    sheet.append(["单位编码", "单位名称", *(FILTER_NAMES[k] for k in FILTER_ATTRIBUTES), "阶段", "截止日期", "逾期工作日",
                  "最近提醒时间", "提醒渠道", "提醒状态", "上级单位"])
    for row in rows:
        sheet.append([safe_cell(v) for v in (
            row.unit, row.unit_name, *(row.attributes.get(k) or "" for k in FILTER_ATTRIBUTES), row.stage_name,
            row.due.astimezone(BEIJING).strftime("%Y-%m-%d"), row.overdue_days,
            row.reminder_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if row.reminder_at else "",
            CHANNEL_NAMES.get(row.reminder_channel or "", row.reminder_channel or ""),
            MESSAGE_STATUS.get(row.reminder_status or "", row.reminder_status or ""),
            f"{row.supervisor_name or ''}（{row.supervisor}）" if row.supervisor else "")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
