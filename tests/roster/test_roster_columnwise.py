"""The column-wise reader gives exactly what the row-by-row reader gave: the same units, or the same problems in
the same order, for generated rosters good and bad (repeated values, duplicate codes, cycles, short rows…)."""

from __future__ import annotations

import gc
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from roster_files import write_csv
from row_by_row_reader import read_roster_row_by_row

from kaohe.errors import KaoheError, RosterError
from kaohe.roster import read_roster

HEADERS = ["类别", "角色", "乡镇", "片区", "市州", "县", "贫困乡镇", "序列", "上级", "邮箱", "手机", "企业微信",
           "钉钉", "飞书", "回调", "统一社会信用代码", "备注", "联系人"]
VALUES = st.sampled_from([
    "", " ", "\u3000", "A01", "A02", "a01", "ＡＢ１", "A 01", "../x", "A" * 65, "弥勒市某局", " 弥勒市  某局 ", "市级 部门", "被考核单位",
    "核查单位", "Assessed", "评审组", "是", "否", "YES", "对", "队长", "组长", "成员", "a01@example.org", "a01example.org",
    "13800138000", "+86 138-0013-8000", "0873-1234567", "1234567", "key-1", "a key",
    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K1", "https://oapi.dingtalk.com/robot/send?foo=1",
    "https://open.feishu.cn/open-apis/bot/v2/hook/T1", "ftp://127.0.0.1/hook", "https://example.org/hook",
    "91350100M000100Y43", "91350100M000100Y44", "913501", "张三",
])
CELL = st.one_of(VALUES, st.text(max_size=8))


def _outcome(reader: object, path: Path) -> object:
    try:
        return reader(path)  # type: ignore[operator]
    except RosterError as error:
        return error.problems
    except KaoheError as error:
        return str(error)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=10, unique=True),
       st.lists(st.lists(CELL, max_size=12), max_size=12))
def test_column_wise_and_row_by_row_readers_agree(header: list[str], rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write_csv(Path(directory) / "roster.csv", [["编码", "名称", *header], *rows])
        assert _outcome(read_roster, path) == _outcome(read_roster_row_by_row, path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["A01", "A02", "A03", "a01", "B1", ""]), st.sampled_from(["", "A01", "A02", "A03", "B1", "X"])),
                min_size=1, max_size=8))
def test_links_across_rows_agree(pairs: list[tuple[str, str]]) -> None:
    rows = [[code, f"单位{n}", supervisor] for n, (code, supervisor) in enumerate(pairs)]
    with tempfile.TemporaryDirectory() as directory:
        path = write_csv(Path(directory) / "roster.csv", [["编码", "名称", "上级"], *rows])
        assert _outcome(read_roster, path) == _outcome(read_roster_row_by_row, path)


def test_a_good_roster_reads_the_same(tmp_path: Path) -> None:
    rows = [["编码", "名称", "角色", "乡镇", "上级", "邮箱", "手机", "备注"],
            ["OFFICE", "联席办", "协调办公室", "", "", "office@example.cn", "", "总"],
            *[[f"U{n}", f"单位{n}", "被考核单位", "弥阳镇", "OFFICE", f"u{n}@example.cn", f"139{n:08d}", ""] for n in range(5)]]
    path = write_csv(tmp_path / "roster.csv", rows)
    entries = read_roster(path)
    assert entries == read_roster_row_by_row(path)
    assert [entry.attributes for entry in entries][:2] == [{"备注": "总"}, {"备注": ""}]


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_cyclic_collector_as_it_was(tmp_path: Path, enabled: bool) -> None:
    good = write_csv(tmp_path / "good.csv", [["编码", "名称"], ["A01", "某局"]])
    bad = write_csv(tmp_path / "bad.csv", [["编码", "名称"], ["A01", ""]])
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        assert [entry.code for entry in read_roster(good)] == ["A01"]
        assert gc.isenabled() is enabled
        with pytest.raises(RosterError):
            read_roster(bad)
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
