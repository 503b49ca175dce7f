"""Documents an office can send: 文号 and issuing authority's header, space for the seal, the date in
Chinese, no programmer terms, unambiguous lists of names, a ranking workbook set up to print."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from kaohe.reports import ReportMeta, render_letter_docx, render_letter_html, render_ranking_xlsx, render_report_html
from kaohe.reports.context import chinese_date, name_list
from kaohe.scoring import ScoreReport

DIGITS = "〇一二三四五六七八九"


@pytest.mark.parametrize(("day", "text"), [
    (dt.date(2019, 1, 23), "二〇一九年一月二十三日"),
    (dt.date(2020, 10, 10), "二〇二〇年十月十日"),
    (dt.date(2019, 3, 7), "二〇一九年三月七日"),
    (dt.date(2021, 12, 31), "二〇二一年十二月三十一日"),
    (dt.date(2018, 11, 20), "二〇一八年十一月二十日"),
])
def test_dates_are_written_the_way_official_documents_write_them(day: dt.date, text: str) -> None:
    assert chinese_date(day) == text


def _read_back(text: str) -> dt.date:
    year, rest = text.split("年")
    month, rest = rest.split("月")

    def small(part: str) -> int:
        if "十" not in part:
            return DIGITS.index(part)
        tens, _, ones = part.partition("十")
        return (DIGITS.index(tens) if tens else 1) * 10 + (DIGITS.index(ones) if ones else 0)

    return dt.date(int("".join(str(DIGITS.index(c)) for c in year)), small(month), small(rest.removesuffix("日")))


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_chinese_date_reads_back_as_the_same_day(day: dt.date) -> None:
    text = chinese_date(day)
    assert not any(c.isascii() for c in text)
    assert _read_back(text) == day


def test_lists_of_names_containing_the_enumeration_comma_stay_unambiguous() -> None:
    assert name_list(["市财政局", "市水务局"]) == "市财政局、市水务局"
    assert name_list(["市委宣传部、市文明办", "市水务局"]) == "“市委宣传部、市文明办”、“市水务局”"


def test_a_letter_carries_header_number_seal_space_and_chinese_date(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    meta = dataclasses.replace(mile_meta, header="弥勒市“挂包帮”“转走访”工作联席会议办公室文件", number="弥挂联办〔2019〕5号")
    paragraphs = [p.text for p in docx.Document(io.BytesIO(render_letter_docx(mile_report, "0101", meta))).paragraphs]
    assert paragraphs[:3] == ["弥勒市“挂包帮”“转走访”工作联席会议办公室文件", "弥挂联办〔2019〕5号",
                              "2018年度弥勒市“挂包帮”定点扶贫工作考核结果反馈意见"]
    assert paragraphs[-5:] == ["", "", "", "市“挂包帮”“转走访”工作联席会议办公室", "二〇一九年三月七日"]
    html = render_letter_html(mile_report, "0101", meta)
    assert '<p class="number">弥挂联办〔2019〕5号</p>' in html and '<div class="seal"></div>' in html


@pytest.mark.parametrize("fixture", ["mile_report", "sichuan_report"])
def test_documents_use_no_programmer_terms(request: pytest.FixtureRequest, fixture: str, mile_meta: ReportMeta) -> None:
    report = render_report_html(request.getfixturevalue(fixture), mile_meta)
    assert "四舍五入" in report
    for term in ("ROUND_HALF_UP", "ROUND_HALF_EVEN", "None", "True", "False", "gap_policy", "refill", "scoring."):
        assert term not in report
    workbook = load_workbook(io.BytesIO(render_ranking_xlsx(request.getfixturevalue(fixture))))
    texts = [str(v) for row in workbook["说明"].iter_rows(values_only=True) for v in row if v is not None]
    assert not any("ROUND_HALF" in t for t in texts)


def test_the_ranking_prints_on_a4_landscape_one_page_wide_with_the_header_repeated(mile_report: ScoreReport) -> None:
    sheet = load_workbook(io.BytesIO(render_ranking_xlsx(mile_report)))["排名"]
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$1:$1"
    name_column = [c.column_letter for c in sheet[1] if c.value == "单位名称"][0]
    longest = max(len(str(c.value)) for c in sheet[name_column])
    assert sheet.column_dimensions[name_column].width >= 2 * longest


def test_empty_columns_are_left_out_of_the_ranking(sichuan_report: ScoreReport) -> None:
    sheet = load_workbook(io.BytesIO(render_ranking_xlsx(sichuan_report)))["排名"]
    for column in sheet.iter_cols(min_row=1):
        assert any(c.value is not None for c in column[1:]), column[0].value
