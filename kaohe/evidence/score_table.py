"""Reading a self-score table (自评表) or a verification sheet (核查评分表): one row per indicator item.

Layout: a header row (within the first 10 rows) with an item column (指标 / 指标名称 / 指标代码 /
考核指标 / 项目 / item) and a score column (自评分 / 核查分 / 得分 / 评分 / score …), optionally a
note column (说明 / 备注 / note). Other columns (序号, 分值, 满分 …) are ignored. A row whose item is
合计 / 总分 / 小计 / 总计 is a total: when it carries a number, that number must equal the sum.
Every bad row is reported at once (ScoreSheetError); nothing is returned from a table with any problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kaohe.errors import Problem, ScoreSheetError
from kaohe.evidence.indicators import Indicator, IndicatorList
from kaohe.scoring.numbers import to_decimal
from kaohe.scoring.spec import normalize_label
from kaohe.scoring.table import Cell, read_table

ITEM_HEADERS = ("指标", "指标名称", "指标代码", "指标项目", "考核指标", "考核项目", "项目", "评分项目", "item")
SCORE_HEADERS = ("自评分", "自评得分", "自评", "核查分", "核查得分", "核实分", "核实得分", "核定分", "得分", "评分", "分数", "score")
NOTE_HEADERS = ("说明", "备注", "自评说明", "核查说明", "扣分说明", "note")
TOTAL_WORDS = ("合计", "总分", "小计", "总计", "total")
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class ScoreRow:
    """One scored item as read: the matched item, the score, the note and where it was."""

    item_id: str
    item_name: str
    score: Decimal
    note: str | None
    row: int
    maximum: Decimal | None = None


def _keys(words: Sequence[str]) -> set[str]:
    return {normalize_label(w) for w in words}


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    return format(cell, "f") if isinstance(cell, Decimal) else str(cell).strip()


def parse_score_table(data: bytes, file: str, indicators: IndicatorList) -> list[ScoreRow]:
    """The scored items of a CSV/XLSX table, checked against ``indicators``; ScoreSheetError lists every problem."""
    return parse_score_rows(read_table(data, file).rows, file, indicators)


def parse_score_rows(table_rows: list[tuple[int, list[Cell]]], file: str, indicators: IndicatorList) -> list[ScoreRow]:
    """The scored items of rows already read (row number, cells), header row included, checked like a file's
    (e.g. the rows of a form entered in the web portal); ScoreSheetError lists every problem."""
    header = _find_header(table_rows)
    if header is None:
        raise ScoreSheetError(Problem(
            f"找不到表头：前 {HEADER_SEARCH_ROWS} 行中应有指标列（如“指标”）和分数列（如“自评分”或“核查分”）", file=file))
    header_row, item_col, score_col, note_col = header
    problems: list[Problem] = []
    rows: list[ScoreRow] = []
    seen: dict[str, int] = {}
    totals: list[tuple[int, Decimal]] = []
    for number, cells in table_rows:
        if number <= header_row:
            continue
        item_text = _text(cells[item_col]) if item_col < len(cells) else ""
        score_cell = cells[score_col] if score_col < len(cells) else None
        note = _text(cells[note_col]) if note_col is not None and note_col < len(cells) else ""
        if not item_text and score_cell is None and not note:
            continue
        if normalize_label(item_text) in _keys(TOTAL_WORDS):
            total = _number(score_cell, number, file, problems, "合计")
            if total is not None:
                totals.append((number, total))
            continue
        if not item_text:
            problems.append(Problem("缺少指标名称", file=file, row=number, field="指标"))
            continue
        indicator = _indicator(indicators, item_text, number, file, problems)
        if indicator is None:
            continue
        if indicator.id in seen:
            problems.append(Problem(f"指标“{indicator.name}”重复（第{seen[indicator.id]}行已填）", file=file, row=number, field="指标"))
            continue
        seen[indicator.id] = number
        score = _number(score_cell, number, file, problems, indicator.name)
        if score is None:
            continue
        if score < indicator.minimum or (indicator.maximum is not None and score > indicator.maximum):
            problems.append(Problem(f"指标“{indicator.name}”的分数 {score} 超出范围 {indicator.range_text()}",
                                    file=file, row=number, field="分数"))
            continue
        rows.append(ScoreRow(indicator.id, indicator.name, score, note or None, number, indicator.maximum))
    if not seen and not problems:
        raise ScoreSheetError(Problem("表中没有任何指标分数", file=file))
    for item in indicators.items:
        if item.required and item.id not in seen:
            problems.append(Problem(f"缺少指标“{item.name}”（{item.id}）的分数", file=file, field="指标"))
    if not problems:
        actual = sum((r.score for r in rows), Decimal(0))
        for number, total in totals:
            if total != actual:
                problems.append(Problem(f"合计 {total} 与各项之和 {actual} 不符", file=file, row=number, field="分数"))
    if problems:
        raise ScoreSheetError(sorted(problems, key=lambda p: (p.row is None, p.row or 0)))
    return rows


def _find_header(rows: list[tuple[int, list[Cell]]]) -> tuple[int, int, int, int | None] | None:
    items, scores, notes = _keys(ITEM_HEADERS), _keys(SCORE_HEADERS), _keys(NOTE_HEADERS)
    for number, cells in rows[:HEADER_SEARCH_ROWS]:
        labels = [normalize_label(_text(c)) for c in cells]
        item_col = next((i for i, label in enumerate(labels) if label in items), None)
        score_col = next((i for i, label in enumerate(labels) if label in scores), None)
        if item_col is not None and score_col is not None:
            note_col = next((i for i, label in enumerate(labels) if label in notes), None)
            return number, item_col, score_col, note_col
    return None


def _indicator(indicators: IndicatorList, text: str, row: int, file: str, problems: list[Problem]) -> Indicator | None:
    if not indicators.closed:
        return Indicator(text, text)
    found = indicators.match(text)
    if found is None:
        problems.append(Problem(f"未知指标“{text}”（应为：{indicators.names()}）", file=file, row=row, field="指标"))
    return found


def _number(cell: Cell, row: int, file: str, problems: list[Problem], what: str) -> Decimal | None:
    if cell is None or not _text(cell):
        problems.append(Problem(f"“{what}”缺少分数", file=file, row=row, field="分数"))
        return None
    try:
        return to_decimal(cell)
    except ValueError as error:
        shown = _text(cell)
        shown = shown if len(shown) <= 40 else shown[:40] + "…"
        reason = str(error) if "KAOHE_" in str(error) else f"应为数字，实为“{shown}”"
        problems.append(Problem(f"“{what}”的分数{reason}", file=file, row=row, field="分数"))
        return None
