"""Feedback letters (反馈意见): the score, grade, rank, components, problems and advice, in HTML and DOCX."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from kaohe.reports import ReportMeta, render_letter_docx, render_letter_html
from kaohe.schemes import load_spec
from kaohe.scoring import ScoreReport, UnitInput, score

SCHEMES = Path(__file__).resolve().parents[2] / "schemes"


def paragraphs(data: bytes) -> list[str]:
    """The text of every paragraph of a DOCX file."""
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def tables(data: bytes) -> list[list[list[str]]]:
    """Every table of a DOCX file as rows of cell texts."""
    return [[[c.text for c in row.cells] for row in table.rows] for table in docx.Document(io.BytesIO(data)).tables]


def test_letter_of_an_excellent_unit(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    data = render_letter_docx(mile_report, "0101", mile_meta)
    text = paragraphs(data)
    assert text[0] == "2018年度弥勒市“挂包帮”定点扶贫工作考核结果反馈意见"
    assert text[1] == "市财政局："
    assert text[2].startswith("根据《弥勒市“挂包帮”定点扶贫工作考核办法》（弥贫开发〔2017〕2号）")
    # 92.5 + 3 = 95.50
    assert "你单位2018年度考核总分 95.50 分，考核等次为“优秀”，在“西一镇”组（共4个）中排名第1位，在全部5个单位中排名第2位。" in text
    assert "（一）帮扶台账不全。" in text
    assert "（一）完善帮扶台账。" in text
    assert text[-2:] == ["市“挂包帮”“转走访”工作联席会议办公室", "二〇一九年三月七日"]
    assert tables(data)[0] == [
        ["项目", "填报/原始得分", "权重", "得分", "说明"],
        ["基础分", "92.5", "100%", "92.5000", ""],
        ["加权得分小计", "", "", "92.5000", ""],
        ["加分：资金投入加分", "3", "", "+3.0000", ""],
        ["总分", "", "", "95.50", ""],
    ]


def test_letter_explains_the_quota(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    text = paragraphs(render_letter_docx(mile_report, "0103", mile_meta))
    assert "你单位2018年度考核总分 90.00 分，考核等次为“良好”，在“西一镇”组（共4个）中排名第3位，在全部5个单位中排名第4位。" in text
    assert "组内第3名，本组“优秀”名额2个（贫困乡镇2个）已满，由“优秀”调整为“良好”。" in text


def test_letter_of_a_failing_unit_lists_problems(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    text = paragraphs(render_letter_docx(mile_report, "0104", mile_meta))
    # 本组基础分平均 (92.5 + 91 + 90 + 64.5) / 4 = 84.50
    assert "（一）“基础分”得分 64.5，低于本组平均分 84.50。" in text
    assert "（二）考核等次为“不合格”。" in text
    assert any(p.startswith("（一）针对“基础分”得分偏低的情况") for p in text)


def test_letter_shows_a_capped_bonus(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    rows = tables(render_letter_docx(mile_report, "0201", mile_meta))[0]
    assert ["加分：资金投入加分", "25", "", "+20.0000", "填报 25 分，超过本项上限 20 分，按上限计"] in rows
    assert rows[-1] == ["总分", "", "", "106.00", ""]


def test_letter_with_reallocation_and_two_year_rules(sichuan_report: ScoreReport, mile_meta: ReportMeta) -> None:
    first = paragraphs(render_letter_docx(sichuan_report, "C1", mile_meta))
    assert "本年列入“先进”，上年列入“先进”：连续两年，党委、政府主要负责人通报表扬。" in first
    assert "减贫任务：无贫困村退出、贫困县摘帽任务，其权重 32.5% 按比例折入有任务的指标（贫困人口脱贫 16.25% → 48.75%）。" in first
    last = paragraphs(render_letter_docx(sichuan_report, "C6", mile_meta))
    assert any("连续两年，党委、政府主要负责人诫勉谈话" in p for p in last)
    assert not any("考核等次" in p for p in last)


def test_docx_fonts_are_chinese(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    document = docx.Document(io.BytesIO(render_letter_docx(mile_report, "0101", mile_meta)))
    fonts = {
        name: document.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for name in ("Normal", "Title", "Heading 1", "Heading 2")
    }
    assert fonts == {"Normal": "仿宋", "Title": "宋体", "Heading 1": "黑体", "Heading 2": "楷体"}
    theme = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsiaTheme"))
    assert theme is None


def test_html_letter_escapes_names(mile_meta: ReportMeta) -> None:
    spec = load_spec("mile", SCHEMES)
    assert spec is not None
    unit = UnitInput(unit="9", name="<b>某局</b>", group="非公企业", values={"base": 80}, problems=["# 标题样式|竖线"])
    html = render_letter_html(score(spec, [unit]), "9", mile_meta)
    assert "&lt;b&gt;某局&lt;/b&gt;：" in html
    assert "<b>某局" not in html
    assert "<p>（一）# 标题样式|竖线。</p>" in html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html


def test_unknown_unit(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    with pytest.raises(KeyError):
        render_letter_html(mile_report, "nope", mile_meta)
