"""Group 9 of issue #11: every command that takes a date checks it, and an extension says what it did and moves
the stages computed from the stage it moved. The cycle is Mile 2026, whose deadlines (2027) lie ahead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hardening_support import MILE_HEADER, OFFICE_ROWS, kaohe, make_roster, one_line_error

UNIT = "ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"


@pytest.fixture
def cycle_2026(capsys, kaohe_env: Path, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    roster = make_roster(tmp_path / "roster.csv", [UNIT])
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2026", "--roster", str(roster), "--key", "mile-2026")
    assert code == 0, err
    return "mile-2026"


def _stage_due(capsys, key: str, stage: str) -> str:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "status", key, "--json")
    assert code == 0, err
    return next(s["due"] for s in json.loads(out)["stages"] if s["stage"] == stage)[:10]


@pytest.mark.parametrize(("to", "words"), [
    ("2026-11-02", "已过"),
    ("0001-01-01", "年份"),
    ("9999-12-31", "年份"),
    ("2027-01-30", "非工作日"),
])
def test_extend_refuses_a_date_it_cannot_use(capsys, cycle_2026: str, to: str, words: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = kaohe(capsys, "extend", cycle_2026, "--stage", "self_check", "--to", to, "--reason", "经联席办同意")
    line = one_line_error(code, err, exit_code=3)
    assert words in line and to in line
    assert _stage_due(capsys, cycle_2026, "self_check") == "2027-01-25"


def test_extend_refuses_a_date_before_the_stage_opens(capsys, cycle_2026: str) -> None:  # type: ignore[no-untyped-def]
    code, _, err = kaohe(capsys, "extend", cycle_2026, "--stage", "spot_check", "--to", "2027-01-05", "--reason", "调整")
    assert "开始" in one_line_error(code, err, exit_code=3)


def test_an_earlier_date_is_called_a_shortening(capsys, cycle_2026: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "extend", cycle_2026, "--stage", "self_check", "--to", "2027-01-20", "--reason", "提前完成")
    assert code == 0, err
    assert "提前" in out and "延期" not in out and "延后" not in out and "已通知相关单位" in out


def test_no_unit_affected_is_not_reported_as_notified(capsys, kaohe_env: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([MILE_HEADER, OFFICE_ROWS[0], UNIT]) + "\n", encoding="utf-8")
    assert kaohe(capsys, "cycle", "create", "mile", "--year", "2026", "--roster", str(roster), "--key", "m26")[0] == 0
    code, out, err = kaohe(capsys, "extend", "m26", "--stage", "spot_check", "--to", "2027-03-03", "--reason", "顺延")
    assert code == 0, err
    assert "已通知相关单位" not in out and "没有" in out


def test_stages_computed_from_the_extended_one_move_with_it(capsys, cycle_2026: str) -> None:  # type: ignore[no-untyped-def]
    before = _stage_due(capsys, cycle_2026, "feedback")
    code, out, err = kaohe(capsys, "extend", cycle_2026, "--stage", "summary", "--to", "2027-03-10", "--reason", "会议推迟", "--json")
    assert code == 0, err
    after = _stage_due(capsys, cycle_2026, "feedback")
    assert after > before and after == "2027-03-15"
    assert "feedback" in json.loads(out)["replanned"]


@pytest.mark.parametrize("args", [
    ["order", "issue", "{key}", "--unit", "ML-A01", "--issue", "补报材料", "--due", "9999-12-31"],
    ["order", "issue", "{key}", "--unit", "ML-A01", "--issue", "补报材料", "--due", "0001-01-01"],
    ["submit", "{key}", "--unit", "ML-A01", "--stage", "self_check", "--report", "{report}", "--at", "9999-12-31T23:59"],
])
def test_other_commands_refuse_absurd_dates(capsys, cycle_2026: str, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    report = tmp_path / "报告.pdf"
    report.write_bytes(b"report")
    code, _, err = kaohe(capsys, *[a.format(key=cycle_2026, report=report) for a in args])
    assert "年份" in one_line_error(code, err, exit_code=3)
