"""Score sheets from CSV (three encodings) and XLSX; bad sheets report every problem with file, row and field."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from kaohe.errors import ScoreSheetError
from kaohe.scoring import ScoringSpec
from kaohe.scoring.sheet import (
    parse_previous,
    parse_score_sheet,
    read_score_sheet,
    score_files,
    sheet_template,
)

MILE_HEADER = "单位代码,单位名称,分组,分组类型,基础分,资金投入加分,存在问题,改进建议"
MILE_ROWS = [
    "0101,市财政局,西一镇,贫困乡镇,88.5,3,台账不全；项目进度慢,加快项目实施",
    "0102,市教育局,西一镇,贫困乡镇,91,,,",
    "0201,某建材公司,非公企业,,86,25,,",
]
SICHUAN_HEADER = "单位代码,单位名称,片区,贫困人口脱贫,贫困村退出,贫困县摘帽,农村居民收入增长,精准识别,精准帮扶,扶贫资金,领导班子有关责任人受到责任追究或诫勉谈话"


def csv_bytes(lines: list[str], encoding: str) -> bytes:
    """CSV text in ``encoding``."""
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """An XLSX workbook with ``rows`` on its first sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings(mile: ScoringSpec, encoding: str) -> None:
    units = parse_score_sheet(csv_bytes([MILE_HEADER, *MILE_ROWS], encoding), "2018.csv", mile)
    assert [(u.unit, u.name, u.group, u.kind) for u in units] == [
        ("0101", "市财政局", "西一镇", "贫困乡镇"),
        ("0102", "市教育局", "西一镇", "贫困乡镇"),
        ("0201", "某建材公司", "非公企业", None),
    ]
    assert units[0].problems == ["台账不全", "项目进度慢"]
    assert units[0].advice == ["加快项目实施"]
    assert units[0].row == 2


def test_csv_scores_like_the_engine(mile: ScoringSpec, tmp_path: Path) -> None:
    path = tmp_path / "2018.csv"
    path.write_bytes(csv_bytes([MILE_HEADER, *MILE_ROWS], "gb18030"))
    report = score_files(mile, path)
    # 0101：88.5 + 3 = 91.50；0102：91 + 0 = 91.00；0201：86 + 25→20 = 106.00
    assert [(r.unit, format(r.total, "f")) for r in report.results] == [("0101", "91.50"), ("0102", "91.00"), ("0201", "106.00")]


def test_title_rows_above_the_header_are_skipped(mile: ScoringSpec) -> None:
    units = parse_score_sheet(csv_bytes(["弥勒市2018年度挂包帮考核得分表,,,,", "", MILE_HEADER, *MILE_ROWS], "utf-8"), "a.csv", mile)
    assert units[0].row == 4


def test_xlsx_with_numeric_codes_and_decimals(sichuan: ScoringSpec) -> None:
    header = SICHUAN_HEADER.split(",")
    data = xlsx_bytes([
        header,
        [510100, "成都市", "市（州）", 90, None, "无任务", 80, 85, 90, 95, "否"],
        ["513400", "凉山州", "市州", 89.99, 80, 80, 80, 80, 80, 80, True],
    ])
    units = parse_score_sheet(data, "2018.xlsx", sichuan)
    assert [u.unit for u in units] == ["510100", "513400"]
    assert units[1].values["population_exit"] == Decimal("89.99")
    assert units[1].flags["accountability"] == "是"


def test_xlsx_date_cells_and_error_values(sichuan: ScoringSpec) -> None:
    header = SICHUAN_HEADER.split(",")
    data = xlsx_bytes([header, ["510100", "成都市", "市（州）", dt.date(2019, 1, 1), 80, 80, 80, 80, 80, "#DIV/0!", 80, "否"]])
    with pytest.raises(ScoreSheetError) as caught:
        parse_score_sheet(data, "2018.xlsx", sichuan)
    assert caught.value.details() == [
        "2018.xlsx，第2行：第4列：单元格为日期/时间（2019-01-01 00:00:00），应为数值或文本",
        "2018.xlsx，第2行：第10列：单元格为公式错误值 #DIV/0!",
    ]


def test_every_bad_row_is_reported_at_once(mile: ScoringSpec) -> None:
    rows = [
        MILE_HEADER,
        "0101,市财政局,西一镇,贫困乡镇,88.5,3,,",
        "0102,市教育局,西一镇,贫困乡镇,101,,,",  # 基础分超过100
        ",市卫健局,西一镇,贫困乡镇,80,,,",  # 无代码
        "0104,市水务局,东山镇,,80,,,",  # 非固定分组，缺分组类型
        "0101,市林草局,西一镇,贫困乡镇,八十,-1,,",  # 代码重复，基础分非数值，加分为负
        "0106,市文旅局,西一镇,贫困乡镇,,,,",  # 缺基础分
    ]
    with pytest.raises(ScoreSheetError) as caught:
        parse_score_sheet(csv_bytes(rows, "utf-8"), "2018.csv", mile)
    assert caught.value.details() == [
        "2018.csv，第3行，字段 基础分：101 超出范围 0–100",
        "2018.csv，第4行，字段 单位代码：单位代码为空",
        "2018.csv，第5行，字段 分组类型：分组“东山镇”不是方案固定分组（非公企业），须填写分组类型（贫困乡镇、非贫困乡镇）",
        "2018.csv，第6行，字段 单位代码：单位代码 0101 重复（首次出现在第2行）",
        "2018.csv，第6行，字段 基础分：“八十”不是数值",
        "2018.csv，第6行，字段 资金投入加分：“-1”不能为负数",
        "2018.csv，第7行，字段 基础分：缺少得分",
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("单位代码,单位名称,分组,分组类型,基础分,资金投入加分,联系人", "2018.csv，第1行：未知的列“联系人”（第7列；如为备注请命名为“备注”）"),
        ("单位代码,单位名称,分组,分组类型,基础分", "2018.csv，第1行：缺少列“资金投入加分”"),
        ("单位代码,单位名称,分组,分组类型,基础分,base,资金投入加分", "2018.csv，第1行：列“base”与列“基础分”重复"),
        ("单位名称,分组,基础分", "2018.csv：前10行中找不到表头（须有“单位代码”列）"),
    ],
)
def test_bad_headers(mile: ScoringSpec, header: str, message: str) -> None:
    with pytest.raises(ScoreSheetError) as caught:
        parse_score_sheet(csv_bytes([header, "0101,市财政局,西一镇,贫困乡镇,80,1,1"], "utf-8"), "2018.csv", mile)
    assert caught.value.details()[0] == message


def test_extra_remark_columns_are_allowed(mile: ScoringSpec) -> None:
    rows = ["序号,单位代码,单位名称,分组,分组类型,基础分,资金投入加分,备注", "1,0101,市财政局,西一镇,贫困乡镇,80,,已复核", "2,,,,,,,"]
    assert [u.unit for u in parse_score_sheet(csv_bytes(rows, "utf-8"), "a.csv", mile)] == ["0101"]


@pytest.mark.parametrize(
    ("data", "file", "message"),
    [
        (b"\xff\xfe\x00\x00garbage\x81", "a.csv", "无法识别文件编码"),
        (b"not a zip", "a.xlsx", "不是有效的 XLSX 文件"),
        (b"x", "a.xls", "只支持 .csv 和 .xlsx 文件"),
        (b"\xef\xbb\xbf" + MILE_HEADER.encode(), "a.csv", "表中没有任何单位数据"),
    ],
)
def test_unreadable_files(mile: ScoringSpec, data: bytes, file: str, message: str) -> None:
    with pytest.raises(ScoreSheetError, match=message):
        parse_score_sheet(data, file, mile)


def test_missing_file(mile: ScoringSpec, tmp_path: Path) -> None:
    with pytest.raises(ScoreSheetError, match="文件不存在"):
        read_score_sheet(tmp_path / "none.csv", mile)


def test_template_has_every_column(inner_mongolia: ScoringSpec) -> None:
    sheet = load_workbook(io.BytesIO(sheet_template(inner_mongolia))).active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["单位代码", "单位名称", "分组"]
    assert {"指标考核", "督导组考核", "考核组综合评价", "全年派驻少于240天", "存在问题"} <= set(headers)
    assert sheet["A2"].number_format == "@"


def test_template_filled_in_is_read_back(inner_mongolia: ScoringSpec) -> None:
    sheet_book = load_workbook(io.BytesIO(sheet_template(inner_mongolia)))
    sheet = sheet_book.active
    assert sheet is not None
    headers = [c.value for c in sheet[1]]
    values = {"单位代码": "001", "单位名称": "张三", "分组": "队长", "督导组考核": 90, "日常督查": 90, "总结测评": 90,
              "实地查访": 90, "民意调查": 90, "考核组综合评价": "B1", "全年派驻超过240天": "是"}
    sheet.append([values.get(h) for h in headers])  # type: ignore[arg-type]
    buffer = io.BytesIO()
    sheet_book.save(buffer)
    units = parse_score_sheet(buffer.getvalue(), "t.xlsx", inner_mongolia)
    assert units[0].unit == "001" and units[0].items["stationed_over_240"] == "是"


def test_previous_year_file(sichuan: ScoringSpec) -> None:
    rows = ["单位代码,单位名称,总分,先进,排名末位", "510100,成都市,95.00,是,否", "513400,凉山州,70.00,否,是", "510300,自贡市,80,,"]
    records = parse_previous(csv_bytes(rows, "utf-8"), "2017.csv", sichuan)
    assert [(r.unit, sorted(r.selections)) for r in records] == [
        ("510100", ["advanced"]), ("513400", ["bottom"]), ("510300", [])
    ]


def test_previous_year_file_problems(sichuan: ScoringSpec) -> None:
    with pytest.raises(ScoreSheetError) as caught:
        parse_previous(csv_bytes(["单位代码,先进", "510100,也许"], "utf-8"), "2017.csv", sichuan)
    assert caught.value.details() == ["2017.csv，第1行：缺少列“排名末位”"]
    with pytest.raises(ScoreSheetError) as caught:
        parse_previous(csv_bytes(["单位代码,先进,排名末位", "510100,也许,否", ",是,否"], "utf-8"), "2017.csv", sichuan)
    assert caught.value.details() == ["2017.csv，第2行，字段 先进：“也许”应为 是 或 否", "2017.csv，第3行，字段 单位代码：单位代码为空"]


def test_score_files_reports_both_files(sichuan: ScoringSpec, tmp_path: Path) -> None:
    sheet = tmp_path / "2018.csv"
    sheet.write_bytes(csv_bytes([SICHUAN_HEADER, "510100,成都市,火星,1,1,1,1,1,1,1,否"], "utf-8"))
    previous = tmp_path / "2017.csv"
    previous.write_bytes(csv_bytes(["单位代码,先进"], "utf-8"))
    with pytest.raises(ScoreSheetError) as caught:
        score_files(sichuan, sheet, previous)
    assert [p.file for p in caught.value.problems] == [str(sheet), str(previous)]
