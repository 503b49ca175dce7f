"""The ranking workbook: codes stay text (leading zeros kept), totals are numbers, it reads back as last year."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from kaohe.reports import render_ranking_xlsx
from kaohe.schemes import load_spec
from kaohe.scoring import ScoreReport, UnitInput, score
from kaohe.scoring.sheet import parse_previous

SCHEMES = Path(__file__).resolve().parents[2] / "schemes"


def rows(data: bytes, sheet: str = "排名") -> list[tuple[object, ...]]:
    """The values of a sheet."""
    workbook = load_workbook(io.BytesIO(data))
    return [tuple(r) for r in workbook[sheet].iter_rows(values_only=True)]


def test_ranking_sheet(mile_report: ScoreReport) -> None:
    data = render_ranking_xlsx(mile_report)
    table = rows(data)
    assert table[0] == ("分组", "组内排名", "总排名", "单位代码", "单位名称", "基础分", "加分", "扣分", "总分",
                        "按分数等次", "等次", "推荐年度扶贫先进集体")
    assert table[1] == ("西一镇", 1, 2, "0101", "市财政局", 92.5, 3, 0, 95.5, "优秀", "优秀", "是")
    assert table[3][3:5] == ("0103", "市水务局") and table[3][9:] == ("优秀", "良好", "否")
    sheet = load_workbook(io.BytesIO(data))["排名"]
    assert sheet["D2"].data_type == "s" and sheet["D2"].number_format == "@"
    assert sheet["I2"].number_format == "0.00"


def test_settings_sheet(mile_report: ScoreReport) -> None:
    table = rows(render_ranking_xlsx(mile_report), "说明")
    assert table[1] == ("方案", "mile")
    assert ("等次区间之间的分数", "落入两个原文区间之间的分数取较低等次") in table


def test_ranking_reads_back_as_last_year(sichuan_report: ScoreReport) -> None:
    spec = load_spec("sichuan", SCHEMES)
    assert spec is not None
    data = render_ranking_xlsx(sichuan_report)
    header = rows(data)[0]
    assert header[-4:] == ("先进", "排名末位", "党委、政府主要负责人通报表扬", "党委、政府主要负责人诫勉谈话")
    last_year = parse_previous(data, "2018排名.xlsx", spec)
    assert {r.unit: sorted(r.selections) for r in last_year} == {
        "C1": ["advanced"], "C2": ["advanced"], "C3": [], "C4": [], "C5": [], "C6": ["bottom"],
    }
    # next year: C1 advanced again → its leaders are commended
    again = score(spec, sichuan_inputs(), last_year)
    assert again.result("C1").flag("commend_leaders").triggered is True  # type: ignore[union-attr]


def sichuan_inputs() -> list[UnitInput]:
    """Six cities, the same as the fixture's."""
    return [
        UnitInput(unit=f"C{i}", name=f"第{i}市", group="市（州）",
                  values={"population_exit": 96 - 2 * i, "village_exit": None, "county_delisting": None,
                          "income_growth": 80, "precise_identification": 85, "precise_assistance": 90, "poverty_funds": 95})
        for i in range(1, 7)
    ]


def test_totals_are_exact_in_the_sheet(mile_report: ScoreReport) -> None:
    sheet = load_workbook(io.BytesIO(render_ranking_xlsx(mile_report)))["排名"]
    assert [Decimal(str(sheet.cell(row=r, column=9).value)).quantize(Decimal("0.01")) for r in range(2, 7)] == [
        r.total for r in mile_report.results
    ]


def test_codes_that_look_like_numbers_or_formulas_stay_text() -> None:
    spec = load_spec("mile", SCHEMES)
    assert spec is not None
    units = [
        UnitInput(unit="=1+1", name="甲\x01局", group="非公企业", values={"base": 80}),
        UnitInput(unit="007", name="乙局", group="非公企业", values={"base": 70}),
    ]
    table = rows(render_ranking_xlsx(score(spec, units)))
    assert [(r[3], r[4]) for r in table[1:]] == [("=1+1", "甲局"), ("007", "乙局")]
