"""Reading score tables against an indicator list: every bad row reported, nothing returned from a bad table."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from kaohe.errors import ScoreSheetError
from kaohe.evidence.indicators import OPEN_LIST, indicators_for
from kaohe.evidence.score_table import parse_score_table
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT


def _indicators(scheme_id: str, **unit: str):  # type: ignore[no-untyped-def]
    scheme = load_scheme(scheme_id, PROJECT_ROOT / "schemes")
    return indicators_for(scheme.scoring_spec, **unit)


MILE = _indicators("mile")


def test_a_table_with_a_title_row_notes_and_a_matching_total_is_read() -> None:
    table = "弥勒市挂包帮自评表,,,\n序号,指标名称,分值,自评分,说明\n1,基础分,100,88.5,\n2,资金投入加分,20,6,投入30万元\n,合计,,94.5,\n"
    rows = parse_score_table(table.encode("utf-8"), "自评表.csv", MILE)
    assert [(r.item_id, r.score, r.note, r.row) for r in rows] == [
        ("base", Decimal("88.5"), None, 3), ("fund_input", Decimal("6"), "投入30万元", 4)]


def test_items_are_matched_by_id_or_name_ignoring_width_and_case() -> None:
    rows = parse_score_table("ITEM,SCORE\nBASE,90\n资金投入加分 ,１０\n".encode(), "t.csv", MILE)
    assert [(r.item_id, r.score) for r in rows] == [("base", Decimal("90")), ("fund_input", Decimal("10"))]


def test_xlsx_tables_are_read_like_csv() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["指标", "核查分"])
    sheet.append(["基础分", 77])
    sheet.append(["资金投入加分", 3.5])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = parse_score_table(buffer.getvalue(), "核查.xlsx", MILE)
    assert [(r.item_id, r.score) for r in rows] == [("base", Decimal("77")), ("fund_input", Decimal("3.5"))]


@pytest.mark.parametrize(("table", "expected"), [
    ("指标,自评分\n资金投入加分,5\n", ["t.csv，字段 指标：缺少指标“基础分”（base）的分数"]),
    ("指标,自评分\n基础分,\n", ["t.csv，第2行，字段 分数：“基础分”缺少分数"]),
    ("指标,自评分\n,50\n基础分,50\n", ["t.csv，第2行，字段 指标：缺少指标名称"]),
    ("指标,自评分\n基础分,-1\n", ["t.csv，第2行，字段 分数：指标“基础分”的分数 -1 超出范围 0–100"]),
    ("指标,自评分\n基础分,90\n合计,95\n", ["t.csv，第3行，字段 分数：合计 95 与各项之和 90 不符"]),
    ("名称,分数\n", ["t.csv：找不到表头：前 10 行中应有指标列（如“指标”）和分数列（如“自评分”或“核查分”）"]),
    ("指标,自评分\n\n", ["t.csv：表中没有任何指标分数"]),
])
def test_each_kind_of_bad_table_is_named(table: str, expected: list[str]) -> None:
    with pytest.raises(ScoreSheetError) as caught:
        parse_score_table(table.encode(), "t.csv", MILE)
    assert caught.value.details() == expected


def test_gb18030_files_and_unknown_formats() -> None:
    rows = parse_score_table("指标,自评分\n基础分,60\n".encode("gb18030"), "t.csv", MILE)
    assert rows[0].score == Decimal("60")
    with pytest.raises(ScoreSheetError, match="只支持 .csv 和 .xlsx"):
        parse_score_table(b"x", "t.pdf", MILE)


def test_inner_mongolia_members_and_teams_have_their_own_items() -> None:
    team = _indicators("inner-mongolia-teams", sequence="team")
    member = _indicators("inner-mongolia-teams", sequence="leader")
    assert [i.id for i in team.items if i.required] == ["indicators", "daily_supervision", "third_party", "summary_evaluation", "ledger_review"]
    assert "opinion_survey" in [i.id for i in member.items] and "opinion_survey" not in [i.id for i in team.items]


def test_sichuan_poverty_task_items_may_be_missing_when_the_unit_has_no_such_task() -> None:
    table = "指标,自评分\n贫困人口脱贫,90\n农村居民收入增长,80\n精准识别,85\n精准帮扶,88\n扶贫资金,90\n"
    rows = parse_score_table(table.encode(), "t.csv", _indicators("sichuan"))
    assert [r.item_id for r in rows] == ["population_exit", "income_growth", "precise_identification", "precise_assistance", "poverty_funds"]


def test_schemes_without_a_formula_take_any_item() -> None:
    assert _indicators("qujiang") == OPEN_LIST
    rows = parse_score_table("指标,自评分\n减贫成效,30\n精准识别,9.5\n".encode(), "t.csv", OPEN_LIST)
    assert [(r.item_id, r.score, r.maximum) for r in rows] == [("减贫成效", Decimal("30"), None), ("精准识别", Decimal("9.5"), None)]
    with pytest.raises(ScoreSheetError, match="重复"):
        parse_score_table("指标,自评分\n减贫成效,30\n减贫成效,20\n".encode(), "t.csv", OPEN_LIST)
