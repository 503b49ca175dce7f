"""PDF letters, report and ranking of a simulated cycle: A4, Chinese text extractable, the ranking within the page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from kaohe.reports import ReportMeta, meta_from_scheme
from kaohe.reports.pdf import render_letter_pdf, render_ranking_pdf, render_report_pdf
from kaohe.reports.workbook import ranking_table
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme, load_spec
from kaohe.scoring import ScoreReport, score
from kaohe.settings import PROJECT_ROOT
from kaohe.testing.simulated_scores import simulated_inputs

SCHEMES = PROJECT_ROOT / "schemes"
A4 = (595.3, 841.9)  # points


def simulated(scheme_id: str, roster: str) -> tuple[ScoreReport, ReportMeta]:
    spec = load_spec(scheme_id, SCHEMES)
    assert spec is not None
    report = score(spec, simulated_inputs(spec, read_roster(PROJECT_ROOT / "samples" / roster), seed="pdf"))
    meta = meta_from_scheme(load_scheme(scheme_id, SCHEMES), 2018, dt.date(2019, 3, 7))
    return report, dataclasses.replace(meta, number="弥挂联办〔2019〕5号")


@pytest.fixture(scope="module")
def mile() -> tuple[ScoreReport, ReportMeta]:
    return simulated("mile", "mile-roster.csv")


def size(page) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    return round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1)


def text(data: bytes) -> str:
    """The document's text with every line break and space removed (a line may wrap anywhere)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def squeezed(value: object) -> str:
    return "".join(str(value).split())


def test_a_letter_is_an_a4_document_with_its_chinese_text(mile) -> None:  # type: ignore[no-untyped-def]
    report, meta = mile
    unit = report.results[0]
    data = render_letter_pdf(report, unit.unit, meta)
    reader = PdfReader(io.BytesIO(data))
    assert all(size(page) == A4 for page in reader.pages)
    content = text(data)
    for expected in ("2018年度弥勒市“挂包帮”定点扶贫工作考核结果反馈意见", "弥挂联办〔2019〕5号", f"{unit.name}：",
                     f"考核总分 {unit.total} 分", "二、分项得分", "四、改进建议", "二〇一九年三月七日"):
        assert squeezed(expected) in content, expected


def test_the_report_is_a4_with_its_four_sections(mile) -> None:  # type: ignore[no-untyped-def]
    report, meta = mile
    data = render_report_pdf(report, meta)
    assert all(size(page) == A4 for page in PdfReader(io.BytesIO(data)).pages)
    content = text(data)
    for section in ("一、基本情况", "二、指标分析", "三、存在问题", "四、综合评价", "四舍五入"):
        assert section in content
    assert "ROUND_HALF" not in content


@pytest.mark.parametrize(("scheme_id", "roster"), [("mile", "mile-roster.csv"), ("inner-mongolia-teams", "inner-mongolia-roster.csv"),
                                                   ("sichuan", "sichuan-roster.csv")])
def test_the_ranking_fits_the_width_of_an_a4_landscape_page(scheme_id: str, roster: str) -> None:
    report, meta = simulated(scheme_id, roster)
    data = render_ranking_pdf(report, meta)
    reader = PdfReader(io.BytesIO(data))
    width = A4[1]
    rightmost: list[float] = []
    for page in reader.pages:
        assert size(page) == (A4[1], A4[0])

        def visit(text: str, cm, tm, font, font_size) -> None:  # type: ignore[no-untyped-def]
            if text.strip():  # where the run ends: a Chinese character is one em wide, an ASCII one at most 0.6 em
                ems = sum(1 if ord(c) > 0x2E7F else 0.6 for c in text.strip())
                rightmost.append(tm[4] + cm[4] + ems * font_size * tm[0] * cm[0])

        page.extract_text(visitor_text=visit)
    assert rightmost and max(rightmost) <= width - 12 * 72 / 25.4  # inside the right margin
    content = text(data)
    headers, rows = ranking_table(report)
    for header in headers:
        assert squeezed(header) in content, header
    for row in rows:
        assert squeezed(row[headers.index("单位名称")]) in content
