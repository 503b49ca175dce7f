"""Every validation rule, every bad row reported at once, and nothing returned when any row is bad."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_files import GOOD_ROW, HEADER, write_csv

from kaohe.errors import InputError, Problem, RosterError
from kaohe.roster import credit_code_check_char, credit_code_problem, read_roster


def with_value(column: str, value: str, row: list[str] | None = None) -> list[str]:
    cells = list(row or GOOD_ROW)
    cells[HEADER.index(column)] = value
    return cells


def problems_of(tmp_path: Path, rows: list[list[str]], header: list[str] = HEADER) -> list[Problem]:
    path = write_csv(tmp_path / "roster.csv", [header, *rows])
    with pytest.raises(RosterError) as raised:
        read_roster(path)
    assert all(problem.file == str(path) for problem in raised.value.problems)
    return raised.value.problems


def test_the_good_row_is_good(tmp_path: Path) -> None:
    assert [entry.code for entry in read_roster(write_csv(tmp_path / "r.csv", [HEADER, GOOD_ROW]))] == ["A01"]


@pytest.mark.parametrize(
    ("column", "value", "fragment"),
    [
        ("编码", "", "编码为空"),
        ("编码", "\u3000 ", "编码为空"),
        ("名称", "", "名称为空"),
        ("名称", "\u3000", "名称为空"),
        ("角色", "评审组", "未知角色“评审组”"),
        ("角色", "assessor", "未知角色“assessor”"),
        ("贫困乡镇", "对", "无法识别的是/否值“对”"),
        ("贫困乡镇", "2", "无法识别的是/否值“2”"),
        ("序列", "组长", "未知序列“组长”"),
        ("邮箱", "a01example.org", "邮箱格式不正确"),
        ("邮箱", "a01@example", "邮箱格式不正确"),
        ("邮箱", "a01@@example.org", "邮箱格式不正确"),
        ("邮箱", "a 01@example.org", "邮箱格式不正确"),
        ("邮箱", "a01@example.org;b@example.org", "邮箱格式不正确"),
        ("邮箱", ".a01@example.org", "邮箱格式不正确"),
        ("手机", "1380013800", "电话号码不正确"),
        ("手机", "138001380001", "电话号码不正确"),
        ("手机", "23800138000", "电话号码不正确"),
        ("手机", "1234567", "电话号码不正确"),
        ("手机", "0873-12345", "电话号码不正确"),
        ("手机", "873-1234567", "电话号码不正确"),
        ("手机", "1.3800138E+10", "电话号码不正确"),
        ("企业微信", "mile wecom", "不能含空白字符"),
        ("钉钉", "token with space", "不能含空白字符"),
        ("飞书", "a\tb", "不能含空白字符"),
        ("回调", "ftp://127.0.0.1/hook", "必须是完整的 http 或 https 网址"),
        ("回调", "127.0.0.1:8080/hook", "必须是完整的 http 或 https 网址"),
        ("回调", "http://", "必须是完整的 http 或 https 网址"),
        ("回调", "http://[::1/hook", "必须是完整的 http 或 https 网址"),
        ("回调", "http://127.0.0.1/a b", "必须是完整的 http 或 https 网址"),
        ("统一社会信用代码", "91350100M000100Y4", "应为18位，实为17位"),
        ("统一社会信用代码", "91350100M000100Y433", "应为18位，实为19位"),
        ("统一社会信用代码", "91350100M000100Y44", "校验位错误：“91350100M000100Y44”，按 GB 32100-2015 末位应为 3"),
        ("统一社会信用代码", "91350100I000100Y43", "含非法字符 I"),
        ("统一社会信用代码", "9135010OM00S100Y43", "含非法字符 O、S"),
        ("统一社会信用代码", "9.13501E+17", "应为18位"),
        ("上级", "A01", "上级不能是本单位自己（A01）"),
        ("上级", "Z99", "上级编码“Z99”在名册中不存在"),
    ],
)
def test_each_rule_reports_row_field_and_reason(tmp_path: Path, column: str, value: str, fragment: str) -> None:
    [problem] = problems_of(tmp_path, [with_value(column, value)])
    assert (problem.row, problem.field) == (2, column)
    assert fragment in problem.reason


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("邮箱", "first.last+tag@sub.example.com"),
        ("邮箱", "ＡＢＣ＠ＥＸＡＭＰＬＥ．ＣＯＭ"),
        ("手机", "19912345678"),
        ("手机", "0873-1234567"),
        ("回调", "https://127.0.0.1:8443/hook?key=1"),
        ("回调", "HTTP://127.0.0.1/hook"),
        ("统一社会信用代码", "91350100M000100Y43"),
        ("统一社会信用代码", "91110108551385082q"),
        ("统一社会信用代码", "112302070019030687"),
        ("统一社会信用代码", "51610700305332460K"),
        ("角色", "第三方评估机构"),
        ("上级", ""),
    ],
)
def test_valid_values_pass(tmp_path: Path, column: str, value: str) -> None:
    assert len(read_roster(write_csv(tmp_path / "r.csv", [HEADER, with_value(column, value)]))) == 1


@pytest.mark.parametrize(
    "code",
    ["91350100M000100Y43", "91110108551385082Q", "91440300708461136T", "91110105771583283D", "112302070019030687", "51610700305332460K"],
)
def test_credit_code_check_char_matches_published_codes(code: str) -> None:
    assert credit_code_check_char(code[:17]) == code[17]
    assert credit_code_problem(code) is None


def test_check_char_zero_when_sum_is_a_multiple_of_31() -> None:
    assert credit_code_check_char("0" * 17) == "0"


def test_english_headers_are_named_as_written(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, [["A1", "某局", "a1@"]], header=["Code", "Name", "E-mail"])
    assert problem.field == "E-mail"
    assert str(problem).endswith("字段 E-mail：邮箱格式不正确：“a1@”")


def test_duplicate_code_names_both_rows(tmp_path: Path) -> None:
    rows = [
        with_value("编码", "A01", with_value("名称", "弥勒市某局（一）")),
        with_value("编码", "A02"),
        with_value("编码", "Ａ０１", with_value("名称", "弥勒市某局（二）")),
    ]
    [problem] = problems_of(tmp_path, rows)
    assert (problem.row, problem.field) == (4, "编码")
    assert problem.reason == "编码“A01”重复：第2行“弥勒市某局（一）”与第4行“弥勒市某局（二）”"


def test_every_repeat_of_a_code_is_reported(tmp_path: Path) -> None:
    rows = [with_value("编码", "A01"), with_value("编码", "A01"), with_value("编码", "A01")]
    assert [p.row for p in problems_of(tmp_path, rows)] == [3, 4]


def test_supervisor_cycles_are_reported_once_each(tmp_path: Path) -> None:
    def unit(code: str, supervisor: str) -> list[str]:
        return with_value("上级", supervisor, with_value("编码", code, with_value("邮箱", f"{code.lower()}@example.org")))

    rows = [
        unit("TOP", ""),
        unit("B", "C"),
        unit("A", "B"),
        unit("C", "A"),
        unit("D", "E"),
        unit("E", "D"),
        unit("F", "A"),
        unit("G", "TOP"),
    ]
    problems = problems_of(tmp_path, rows)
    assert [(p.row, p.field, p.reason) for p in problems] == [
        (3, "上级", "上级关系成环：B → C → A → B（第3行、第5行、第4行）"),
        (6, "上级", "上级关系成环：D → E → D（第6行、第7行）"),
    ]


def test_chain_into_a_cycle_is_not_itself_a_cycle(tmp_path: Path) -> None:
    rows = [with_value("上级", "C", with_value("编码", code)) for code in ("A", "B", "C")]
    rows[0] = with_value("上级", "B", with_value("编码", "A"))
    rows[1] = with_value("上级", "C", with_value("编码", "B"))
    rows[2] = with_value("上级", "B", with_value("编码", "C"))
    [problem] = problems_of(tmp_path, rows)
    assert problem.row == 3 and "B → C → B" in problem.reason


def test_all_bad_rows_are_reported_at_once_and_nothing_is_returned(tmp_path: Path) -> None:
    rows = [with_value("编码", f"A{i:02d}", with_value("邮箱", f"a{i:02d}@example.org")) for i in range(1, 11)]
    rows[1] = with_value("邮箱", "bad", rows[1])
    rows[4] = with_value("名称", "", with_value("手机", "123", rows[4]))
    rows[7] = with_value("上级", "NOPE", rows[7])
    rows[9] = with_value("编码", "A01", rows[9])
    path = write_csv(tmp_path / "roster.csv", [HEADER, *rows])
    result = None
    with pytest.raises(RosterError) as raised:
        result = read_roster(path)
    assert result is None
    error = raised.value
    assert isinstance(error, InputError)
    assert [(p.row, p.field) for p in error.problems] == [(3, "邮箱"), (6, "名称"), (6, "手机"), (9, "上级"), (11, "编码")]
    assert str(error).startswith(f"{path}，第3行，字段 邮箱：邮箱格式不正确")
    assert str(error).endswith("（另有 4 处错误）")
    assert len(error.details()) == 5


def test_a_bad_row_does_not_hide_cross_row_problems(tmp_path: Path) -> None:
    rows = [
        with_value("邮箱", "bad", with_value("编码", "A01")),
        with_value("编码", "A01"),
        with_value("上级", "A01", with_value("编码", "A03")),
    ]
    assert [(p.row, p.field) for p in problems_of(tmp_path, rows)] == [(2, "邮箱"), (3, "编码")]
