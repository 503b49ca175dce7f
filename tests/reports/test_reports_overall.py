"""The assessment report: 基本情况、指标分析、存在问题、综合评价, in HTML and DOCX."""

from __future__ import annotations

import io

import docx

from kaohe.reports import (
    ReportMeta,
    render_report_docx,
    render_report_html,
    report_blocks,
)
from kaohe.scoring import ScoreReport

SECTIONS = ["一、基本情况", "二、指标分析", "三、存在问题", "四、综合评价"]


def test_four_sections_in_order(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    headings = [b.text for b in report_blocks(mile_report, mile_meta) if b.kind == "heading"]
    assert headings == SECTIONS


def test_docx_report_content(mile_report: ScoreReport, mile_meta: ReportMeta) -> None:
    document = docx.Document(io.BytesIO(render_report_docx(mile_report, mile_meta)))
    text = [p.text for p in document.paragraphs]
    assert text[0] == "2018年度弥勒市“挂包帮”定点扶贫工作考核报告"
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == SECTIONS
    assert "挂包帮定点扶贫单位：基础分×100%＋加分−扣分。" in text
    assert "挂包帮定点扶贫单位：加分上限20分，总分上限120分。" in text
    # (95.5 + 91 + 90 + 64.5 + 106) / 5 = 89.40
    assert "全部单位平均分 89.40 分，最高 106.00 分，最低 64.50 分。" in text
    assert "（一）考核等次为“不合格”的单位1个：市林草局。" in text
    assert "等次评定结果：优秀3个，良好1个，合格0个，不合格1个。" in text
    assert "推荐年度扶贫先进集体（3个）：某建材公司、市财政局、市教育局。" in text
    assert any(p.startswith("1. 原文“70-79分（含70分）为合格、69分以下为不合格”") for p in text)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0] == [["分组", "类型", "单位数", "名额"], ["西一镇", "贫困乡镇", "4", "优秀名额：贫困乡镇2个"], ["非公企业", "非公企业", "1", "优秀名额：非公企业3个"]]
    assert ["优秀", "4", "3"] in tables[-2]
    assert tables[-1][0] == ["分组", "组内排名", "单位代码", "单位名称", "总分", "等次"]
    assert tables[-1][1] == ["西一镇", "1", "0101", "市财政局", "95.50", "优秀"]


def test_html_report(sichuan_report: ScoreReport, mile_meta: ReportMeta) -> None:
    html = render_report_html(sichuan_report, mile_meta)
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in html
    assert "<p>先进（2个）：第1市、第2市。</p>" in html
    assert "<p>党委、政府主要负责人诫勉谈话：第6市。</p>" in html
    assert "<p>（一）排名末位：第6市。</p>" in html
    assert "<td>贫困村退出</td><td>16.25%</td><td>0</td><td>—</td>" in html
