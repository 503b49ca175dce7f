"""The line markup between the content templates and the HTML/DOCX renderers."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.reports import ReportMeta, letter_blocks, render_letter_docx
from kaohe.reports.document import Block, cell, lead, line, parse_markup
from kaohe.reports.templates import chinese_number, sentence
from kaohe.schemes import load_spec
from kaohe.scoring import UnitInput, score

SCHEMES = Path(__file__).resolve().parents[2] / "schemes"


def test_parse_markup() -> None:
    markup = "# 标题\n\n## 一、基本情况\n正文一\n| 甲 | 乙 |\n| 1 | 2 |\n### （一）小节\n> 落款\n"
    assert parse_markup(markup) == [
        Block("title", "标题"),
        Block("heading", "一、基本情况"),
        Block("paragraph", "正文一"),
        Block("table", rows=(("甲", "乙"), ("1", "2"))),
        Block("subheading", "（一）小节"),
        Block("signature", "落款"),
    ]


@pytest.mark.parametrize(
    ("function", "value", "expected"),
    [
        (cell, "台账|不全\n第二行", "台账｜不全 第二行"),
        (line, "#1 单位", "#1 单位"),
        (lead, "# 加快", "＃ 加快"),
        (lead, "> 引用", "＞ 引用"),
        (lead, None, ""),
        (line, "甲\x00乙\x0b丙\ufffe", "甲乙 丙"),
        (sentence, "整改", "整改。"),
        (sentence, "已整改。", "已整改。"),
    ],
)
def test_filters(function: object, value: object, expected: str) -> None:
    assert function(value) == expected  # type: ignore[operator]


def test_data_cannot_break_a_table() -> None:
    row = f"| {cell('A|B')} | {cell('C')} |"
    assert parse_markup(row) == [Block("table", rows=(("A｜B", "C"),))]


@pytest.mark.parametrize(("number", "text"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (25, "二十五"), (100, "100")])
def test_chinese_number(number: int, text: str) -> None:
    assert chinese_number(number) == text


LETTER_HEADINGS = ["一、考核得分与等次", "二、分项得分", "三、存在问题", "四、改进建议"]


@settings(max_examples=30, deadline=None)
@given(name=st.text(min_size=1, max_size=30).filter(str.strip), problem=st.text(max_size=40))
def test_any_text_keeps_the_letter_whole(mile_meta: ReportMeta, name: str, problem: str) -> None:
    spec = load_spec("mile", SCHEMES)
    assert spec is not None
    unit = UnitInput(unit="1", name=name, group="非公企业", values={"base": 80}, problems=[problem])
    report = score(spec, [unit])
    blocks = letter_blocks(report, "1", mile_meta)
    assert [b.text for b in blocks if b.kind == "heading"] == LETTER_HEADINGS
    assert blocks[1] == Block("paragraph", lead(name.strip()) + "：")
    document = docx.Document(io.BytesIO(render_letter_docx(report, "1", mile_meta)))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == LETTER_HEADINGS
