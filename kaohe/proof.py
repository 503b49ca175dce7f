"""The delivery record (催办记录) as files: an XLSX that carries the whole hash chain (so the file itself
can be verified) and a PDF to print, sign and file. Reading an exported XLSX back for verification.

Both list, per message: the unit, the stage, the kind, the channel and address, when it was queued and
sent, what the receiving server answered, and when the unit first opened its link or acknowledged
afterwards (from the web portal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kaohe.clock import BEIJING
from kaohe.errors import InputError
from kaohe.store.proof import LedgerRow

SHEET = "催办记录"
UNIT_MARK = " · 单位 "
HEADERS = ("序号", "类型", "接收单位", "所涉单位", "阶段", "消息类型", "渠道", "接收地址", "标题", "入队时间", "计划发送",
           "发送时间", "状态", "服务器回复", "打开链接/确认", "本行哈希", "前一行哈希", "记录原文")
KIND_NAMES = {"message": "消息", "opened": "打开链接", "acknowledged": "确认收到"}
STATUS_NAMES = {"sent": "已发送", "failed": "发送失败", "uncertain": "无法确认", "cancelled": "已取消"}
CHANNEL_NAMES = {"email": "邮件", "wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "webhook": "回调", "sms": "短信"}


def _local(text: str | None) -> str:
    if not text:
        return ""
    return dt.datetime.fromisoformat(text).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def first_response(rows: Sequence[LedgerRow]) -> dict[int, str]:
    """Row seq of each sent message → when its unit first opened a link or acknowledged after it was sent
    (same stage, or any stage when the event names none), Beijing time. Instants are compared as datetimes:
    the database may hand them back in another offset than they were written with."""
    events = [r.data for r in rows if r.data.get("type") in ("opened", "acknowledged")]
    answers: dict[int, str] = {}
    for row in rows:
        data = row.data
        if data.get("type") != "message" or not data.get("sent_at"):
            continue
        unit = data.get("about") or data.get("unit")
        sent_at = dt.datetime.fromisoformat(data["sent_at"])
        later = sorted(at for e in events
                       if e.get("unit") in (unit, data.get("unit")) and e.get("stage") in (None, data.get("stage"))
                       and (at := dt.datetime.fromisoformat(e["at"])) >= sent_at)
        if later:
            answers[row.seq] = later[0].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
    return answers


def _cells(row: LedgerRow, answers: dict[int, str]) -> list[Any]:
    data = row.data
    kind = KIND_NAMES.get(str(data.get("type")), str(data.get("type")))
    if data.get("type") != "message":
        return [row.seq, kind, data.get("unit"), "", data.get("stage") or "", "", "", "", "", "", "", "", "", "",
                _local(data.get("at")), row.hash, row.prev_hash, row.entry]
    return [row.seq, kind, data.get("unit") or "", data.get("about") or "", data.get("stage") or "", data.get("kind"),
            CHANNEL_NAMES.get(data.get("channel", ""), data.get("channel")), data.get("recipient"), data.get("subject"),
            _local(data.get("queued_at")), _local(data.get("send_after")), _local(data.get("sent_at")),
            STATUS_NAMES.get(data.get("status", ""), data.get("status")),
            data.get("answer") or data.get("error") or "", answers.get(row.seq, ""), row.hash, row.prev_hash, row.entry]


def export_xlsx(rows: Sequence[LedgerRow], path: Path, *, title: str, head: str) -> None:
    """Write the record to ``path``: one sheet, every cell text (never a formula), the chain in the last columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append([title])
    sheet.append([f"记录行数：{len(rows)}；末行哈希：{head}"])
    sheet.append(list(HEADERS))
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    answers = first_response(rows)
    for row in rows:
        sheet.append(_cells(row, answers))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.column_dimensions["R"].hidden = True
    sheet.freeze_panes = "A4"
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.part")
    book.save(draft)
    draft.replace(path)


def read_xlsx(path: Path) -> tuple[list[LedgerRow], bool]:
    """The ledger rows of an exported record (their JSON, hash and previous hash), and whether it is a
    whole cycle's record (a per-unit extract has gaps by design)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError) as error:
        raise InputError(f"{path}：无法读取为 XLSX（{type(error).__name__}）") from None
    if SHEET not in book.sheetnames:
        raise InputError(f"{path}：没有“{SHEET}”工作表，不是 kaohe 导出的催办记录")
    rows: list[LedgerRow] = []
    title = str(book[SHEET]["A1"].value or "")
    for number, values in enumerate(book[SHEET].iter_rows(min_row=4, values_only=True), start=4):
        if not values or values[0] is None:
            continue
        try:
            seq, row_hash, prev_hash, entry = int(values[0]), str(values[15]), str(values[16]), str(values[17])
        except (TypeError, ValueError, IndexError):
            raise InputError(f"{path}，第{number}行：缺少序号、哈希或记录原文") from None
        rows.append(LedgerRow(seq, entry, prev_hash, row_hash))
    book.close()
    return rows, UNIT_MARK not in title


def export_pdf(rows: Sequence[LedgerRow], path: Path, *, title: str, head: str) -> None:
    """Write the record as an A4 landscape PDF (reportlab's built-in CID font STSong-Light: no font file needed)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=7, leading=9, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName="STSong-Light", fontSize=14, leading=18)
    answers = first_response(rows)
    columns = ("序号", "接收单位", "所涉单位", "类型", "渠道/地址", "标题", "入队", "发送", "状态与服务器回复", "打开/确认", "哈希（前16位）")
    table: list[list[Any]] = [[Paragraph(c, body) for c in columns]]
    for row in rows:
        cells = _cells(row, answers)
        shown = [str(cells[0]), cells[2], cells[3], cells[5] or cells[1], f"{cells[6]} {cells[7]}".strip(), cells[8], cells[9],
                 cells[11], f"{cells[12]} {cells[13]}".strip(), cells[14], row.hash[:16]]
        table.append([Paragraph(escape(str(value or "")), body) for value in shown])
    widths = [10, 20, 20, 20, 38, 50, 24, 24, 40, 24, 26]
    grid = Table(table, colWidths=[w * mm for w in widths], repeatRows=1)
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)]))
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.part")
    document = SimpleDocTemplate(str(draft), pagesize=landscape(A4), leftMargin=10 * mm, rightMargin=10 * mm,
                                 topMargin=10 * mm, bottomMargin=10 * mm, title=title)
    footer = (f"共{len(rows)}行。各行依次以 SHA-256 链接，末行哈希：{head}。"
              "以 kaohe proof verify 核对本记录（或同时导出的 XLSX）是否被改动。")
    document.build([Paragraph(escape(title), heading), Spacer(1, 4 * mm), grid, Spacer(1, 4 * mm), Paragraph(escape(footer), body)])
    draft.replace(path)
