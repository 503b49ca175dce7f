"""Roster files: CSV encodings, XLSX cells kept as text, headers, and file-level errors."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from roster_files import write_csv, write_xlsx

from kaohe.errors import RosterError
from kaohe.roster import RankingSequence, Role, RosterEntry, read_roster

ROWS = [
    ["编码", "名称", "类别", "乡镇", "贫困乡镇", "手机", "备注"],
    ["001", "虹溪镇扶贫工作站", "乡镇", "虹溪镇", "是", "13800138000", "挂包村：三个"],
    ["002", "弥勒某实业有限公司（一）", "非公企业", "五山乡", "否", "0873-1234567", ""],
]
EXPECTED = [
    RosterEntry(
        code="001",
        name="虹溪镇扶贫工作站",
        kind="乡镇",
        township="虹溪镇",
        poor_township=True,
        contacts={"phone": "13800138000"},
        attributes={"备注": "挂包村：三个"},
    ),
    RosterEntry(
        code="002",
        name="弥勒某实业有限公司（一）",
        kind="非公企业",
        township="五山乡",
        poor_township=False,
        contacts={"phone": "0873-1234567"},
        attributes={"备注": ""},
    ),
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_each_encoding_reads_the_same(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "roster.csv", ROWS, encoding)
    assert read_roster(path) == EXPECTED


def test_gb18030_file_is_really_not_utf8(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "roster.csv", ROWS, "gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert read_roster(path)[0].name == "虹溪镇扶贫工作站"


def test_undecodable_csv_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "坏编码.csv"
    path.write_bytes("编码,名称\n".encode() + b"A01,\xff\xfe\x80\n")
    with pytest.raises(RosterError) as raised:
        read_roster(path)
    assert str(path) in str(raised.value)
    assert "编码" in str(raised.value) and "GB18030" in str(raised.value)


def test_english_headers_in_any_case_and_spacing(tmp_path: Path) -> None:
    rows = [
        ["Code", "NAME", "Role", "Poor Township", "poor-township-note", "Credit_Code", "E-mail", "Sequence"],
        ["T1", "驻化德县脱贫攻坚工作总队", "ASSESSED", "No", "x", "91350100M000100Y43", "t1@example.org", "Team"],
    ]
    [entry] = read_roster(write_csv(tmp_path / "en.csv", rows))
    assert entry == RosterEntry(
        code="T1",
        name="驻化德县脱贫攻坚工作总队",
        role=Role.ASSESSED,
        poor_township=False,
        credit_code="91350100M000100Y43",
        contacts={"email": "t1@example.org"},
        sequence=RankingSequence.TEAM,
        attributes={"poor-township-note": "x"},
    )


def test_required_header_marker_and_header_aliases(tmp_path: Path) -> None:
    rows = [["单位编码*", "单位名称*", "市(州)", "旗县", "上级编码", "联系电话"], ["C1", "某市", "某市", "", "", ""], ["X1", "某县", "某市", "某县", "C1", "13900000001"]]
    entries = read_roster(write_csv(tmp_path / "alias.csv", rows))
    assert [(e.code, e.city, e.county, e.supervisor) for e in entries] == [("C1", "某市", None, None), ("X1", "某市", "某县", "C1")]


def test_blank_rows_are_skipped_and_row_numbers_stay_as_seen(tmp_path: Path) -> None:
    rows = [["编码", "名称"], ["A1", "甲"], [], ["", "  "], ["A2", ""]]
    with pytest.raises(RosterError) as raised:
        read_roster(write_csv(tmp_path / "gaps.csv", rows))
    [problem] = raised.value.problems
    assert (problem.row, problem.field) == (5, "名称")


def test_quoted_cells_with_commas_and_quotes_survive(tmp_path: Path) -> None:
    rows = [["编码", "名称", "备注"], ["A1", "某局", '说明,含逗号和"引号"']]
    [entry] = read_roster(write_csv(tmp_path / "quoted.csv", rows))
    assert entry.attributes == {"备注": '说明,含逗号和"引号"'}


def test_xlsx_numeric_cells_become_text(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["编码", "名称", "手机", "统一社会信用代码", "贫困乡镇", "金额", "大数", "日期", "乡镇编码"],
        [1001, "某局", 13800138000, "91350100M000100Y43", True, 1.5, 123456789012345, dt.datetime(2019, 1, 23), 42],
        [1002.0, "某公司", 13800138001.0, "91110108551385082Q", 0, 0.0000001, 1e15, dt.date(2019, 2, 28), 7],
    ]
    path = write_xlsx(tmp_path / "numbers.xlsx", rows, {"I2": "000000", "I3": "000000"})
    first, second = read_roster(path)
    assert (first.code, first.contacts["phone"], first.poor_township) == ("1001", "13800138000", True)
    assert first.attributes == {"金额": "1.5", "大数": "123456789012345", "日期": "2019-01-23", "乡镇编码": "000042"}
    assert (second.code, second.contacts["phone"], second.poor_township) == ("1002", "13800138001", False)
    assert second.attributes == {"金额": "0.0000001", "大数": "1000000000000000", "日期": "2019-02-28", "乡镇编码": "000007"}


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (1234, "000000", "001234"),
        (1234.0, "000000", "001234"),
        (1234, "00000000000;@", "00000001234"),
        (1234, "General", "1234"),
        (1234, "@", "1234"),
        (1234567, "000", "1234567"),
        (13800138000.0, "General", "13800138000"),
    ],
)
def test_xlsx_code_cell_is_padded_by_its_number_format(tmp_path: Path, value: object, number_format: str, expected: str) -> None:
    path = write_xlsx(tmp_path / "pad.xlsx", [["编码", "名称"], [value, "某局"]], {"A2": number_format})
    assert [entry.code for entry in read_roster(path)] == [expected]


def test_xlsx_reads_only_the_first_sheet(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(["编码", "名称"])
    first.append(["A1", "某局"])
    other = workbook.create_sheet("说明")
    other.append(["这里是填表说明"])
    workbook.save(tmp_path / "two.xlsx")
    assert [entry.code for entry in read_roster(tmp_path / "two.xlsx")] == ["A1"]


def test_xlsx_validation_uses_spreadsheet_row_numbers_and_columns(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for cell, value in {"B3": "编码", "C3": "名称", "D3": "手机", "B4": "A1", "C4": "某局", "D4": 12345, "B7": "A2", "C7": "某局", "E7": "x"}.items():
        sheet[cell] = value
    workbook.save(tmp_path / "bad.xlsx")
    with pytest.raises(RosterError) as raised:
        read_roster(tmp_path / "bad.xlsx")
    assert [(p.row, p.field) for p in raised.value.problems] == [(3, "E列"), (4, "手机")]


def test_xlsx_with_a_wrong_dimension_tag_is_read_in_full(tmp_path: Path) -> None:
    source = write_xlsx(tmp_path / "source.xlsx", [["编码", "名称"], ["A1", "某局"], ["A2", "某局二"], ["A3", "某局三"]])
    target = tmp_path / "wrong-dimension.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:B4"/>' in data
                data = data.replace(b'<dimension ref="A1:B4"/>', b'<dimension ref="A1:B2"/>')
            new.writestr(item, data)
    assert [entry.code for entry in read_roster(target)] == ["A1", "A2", "A3"]


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.csv", b"", "文件为空"),
        ("blank.csv", b"\r\n,,\r\n", "文件为空"),
        ("header-only.csv", "编码,名称\n".encode(), "没有任何单位"),
        ("no-code.csv", "名称,邮箱\n某局,a@example.org\n".encode(), "缺少必需的列“编码”"),
        ("no-name.csv", b"code,email\nA1,a@example.org\n", "缺少必需的列“名称”"),
        ("roster.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx"),
        ("roster.txt", b"code,name\nA,B\n", "不支持的名册文件类型"),
        ("broken.xlsx", b"not a zip file", "无法读取 Excel 文件"),
        ("nul.csv", b"code,name\nA\x00,B\n", "NUL"),
        ("utf16.csv", "编码,名称\nA1,某局\n".encode("utf-16"), "UTF-16"),
        ("utf16-no-bom.csv", "code,name\nA1,B\n".encode("utf-16-le"), "UTF-16"),
    ],
)
def test_file_level_errors_name_the_file(tmp_path: Path, name: str, content: bytes, fragment: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(RosterError) as raised:
        read_roster(path)
    assert fragment in str(raised.value)
    assert all(problem.file == str(path) for problem in raised.value.problems)


def test_missing_file_is_a_roster_error(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="名册文件不存在"):
        read_roster(tmp_path / "nowhere.csv")


def test_both_required_headers_missing_are_reported_together(tmp_path: Path) -> None:
    with pytest.raises(RosterError) as raised:
        read_roster(write_csv(tmp_path / "r.csv", [["邮箱"], ["a@example.org"]]))
    assert [(p.row, p.field) for p in raised.value.problems] == [(1, "编码"), (1, "名称")]


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        (["编码", "名称", "code"], "表头重复：C列“code”与A列“编码”（同为“编码”）"),
        (["编码", "名称", "备注", "备注"], "表头重复：D列“备注”与C列“备注”"),
    ],
)
def test_repeated_header_is_an_error(tmp_path: Path, header: list[str], fragment: str) -> None:
    path = write_csv(tmp_path / "r.csv", [header, ["A1", "某局"] + [""] * (len(header) - 2)])
    with pytest.raises(RosterError) as raised:
        read_roster(path)
    assert fragment in str(raised.value)


def test_data_under_no_header_is_reported(tmp_path: Path) -> None:
    rows = [["编码", "名称", "", "备注"], ["A1", "某局", "", ""], ["A2", "某局二", "多出来", "", "又多出来"]]
    with pytest.raises(RosterError) as raised:
        read_roster(write_csv(tmp_path / "r.csv", rows))
    assert [(p.row, p.field, p.reason) for p in raised.value.problems] == [
        (1, "C列", "C列有数据但没有表头"),
        (1, "E列", "E列有数据但没有表头"),
    ]


def test_empty_unheaded_columns_are_ignored(tmp_path: Path) -> None:
    rows = [["编码", "", "名称"], ["A1", "", "某局"]]
    assert read_roster(write_csv(tmp_path / "r.csv", rows)) == [RosterEntry(code="A1", name="某局")]


def test_path_may_be_given_as_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", [["编码", "名称"], ["A1", "某局"]])
    assert read_roster(str(path)) == read_roster(path)


def test_zip_that_is_not_a_workbook_is_a_roster_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")
    with pytest.raises(RosterError, match="无法读取 Excel 文件"):
        read_roster(path)
