"""The `kaohe` command as a coordinator uses it: schemes, plan, cycle, status, calendar, extend."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "samples" / "mile-roster.csv"


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_schemes_lists_the_five(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = kaohe(capsys, "schemes", "--json")
    assert code == 0
    assert [s["id"] for s in json.loads(out)] == ["inner-mongolia-teams", "mile", "ordos", "qujiang", "sichuan"]


def test_schemes_show_names_stages_and_open_points(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = kaohe(capsys, "schemes", "show", "mile")
    assert code == 0 and "自查自评" in out and "待定" in out


def test_plan_json_for_the_issue_examples(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = kaohe(capsys, "plan", "mile", "--year", "2019", "--holiday-policy", "next", "--json")
    stage = next(s for s in json.loads(out)["stages"] if s["id"] == "submission")
    assert (stage["source_due"], stage["due"], stage["adjusted"]) == ("2020-01-24", "2020-02-03T23:59:59+08:00", True)
    _, out, _ = kaohe(capsys, "plan", "sichuan", "--year", "2018", "--holiday-policy", "previous", "--json")
    stage = next(s for s in json.loads(out)["stages"] if s["id"] == "comprehensive_evaluation")
    assert stage["due"] == "2019-02-03T23:59:59+08:00"


def test_plan_2026_is_provisional(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = kaohe(capsys, "plan", "mile", "--year", "2026", "--json")
    assert code == 0 and json.loads(out)["provisional"] is True


def test_unknown_scheme_is_one_line(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "plan", "nowhere", "--year", "2018")
    assert code == 4 and out == ""
    assert err.count("\n") == 1 and "nowhere" in err and "Traceback" not in err


def test_validate_a_bad_county_file_gives_file_field_reason(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "county.yaml"
    bad.write_text((PROJECT_ROOT / "schemes" / "mile.yaml").read_text(encoding="utf-8").replace("Y+1-01-23", "Y+1-1-23"), encoding="utf-8")
    code, _, err = kaohe(capsys, "schemes", "validate", str(bad))
    assert code == 3
    assert err.strip() == (f"错误：{bad}，字段 stages[0](self_check).due.date：无法识别的日期表达式 'Y+1-1-23'（应如 Y+1-01-23、"
                           "Y+1-02-last、stage.self_report.due - 3 days、parent.self_report.due - 3 working_days、event.meeting）")
    code, out, _ = kaohe(capsys, "schemes", "validate", str(PROJECT_ROOT / "schemes" / "sichuan.yaml"))
    assert code == 0 and "有效" in out


def test_cycle_create_status_calendar_and_extend(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(SAMPLE), "--json")
    assert code == 0, err
    created = json.loads(out)
    assert created["cycle"] == "mile-2018" and created["units"] == 56
    code, out, _ = kaohe(capsys, "status", "mile-2018", "--json")
    stages = {s["stage"]: s for s in json.loads(out)["stages"]}
    assert stages["self_check"]["obliged"] == 40  # the 40 assessed units of the sample
    assert stages["verification"]["obliged"] == 12  # the 12 township verifiers
    assert stages["self_check"]["overdue"] == 40  # it is 2026 now: nobody handed anything in
    code, out, _ = kaohe(capsys, "calendar", "mile-2018", "--ics", "--unit", "ML-A01")
    feed = Calendar.from_ical(out)
    events = [c for c in feed.walk("VEVENT")]
    assert {str(e["summary"]) for e in events} >= {"【截止】自查自评（mile-2018）", "【截止】报送乡镇（mile-2018）"}
    assert all(e.walk("VALARM") for e in events)
    code, out, err = kaohe(capsys, "extend", "mile-2018", "--stage", "self_check", "--unit", "ML-A01", "--to", "2027-01-29",
                           "--reason", "测试延期")
    assert code == 0, err
    code, out, _ = kaohe(capsys, "status", "mile-2018", "--unit", "ML-A01", "--json")
    view = json.loads(out)
    self_check = next(o for o in view["obligations"] if o["stage"] == "self_check")
    assert self_check["extended"] is True and self_check["due"].startswith("2027-01-29")
    assert any(m["kind"] == "deadline_changed" for m in view["messages"])


def test_cycle_create_twice_is_refused(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    assert kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(SAMPLE))[0] == 0
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(SAMPLE))
    assert code == 5 and "已存在" in err


def test_a_bad_roster_imports_nothing_and_names_every_bad_row(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_text("编码,名称,邮箱,手机\nA1,甲局,a1@example.org,13800000001\nA2,乙局,not-an-email,13800000002\n"
                      "A3,丙局,a3@example.org,1234\n", encoding="utf-8")
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster))
    assert code == 3
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "第3行" in lines[0] and "第4行" in lines[1]
    code, out, _ = kaohe(capsys, "cycle", "list", "--json")
    assert json.loads(out) == []
