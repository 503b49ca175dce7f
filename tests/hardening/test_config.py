"""Group 10 of issue #11: a bad setting is one line naming the setting (exit 2), never a traceback, and kaohe
creates no directory an explicit KAOHE_DATABASE_URL points into."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardening_support import kaohe, make_roster, one_line_error

from kaohe.settings import get_settings


def _with(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


@pytest.mark.parametrize("url", [
    "not a database url",
    "mysql+nosuchdriver://u@h/db",
    "postgresql+psycopg://postgres@127.0.0.1:1/kaohe",
    "postgresql+psycopg://postgres@127.0.0.1:5432/kaohe_no_such_database_11",
])
def test_a_database_that_cannot_be_used_names_the_setting(capsys, kaohe_env: Path, monkeypatch, url: str) -> None:  # type: ignore[no-untyped-def]
    _with(monkeypatch, KAOHE_DATABASE_URL=url)
    code, _, err = kaohe(capsys, "cycle", "list")
    assert "KAOHE_DATABASE_URL" in one_line_error(code, err, exit_code=2)


def test_a_sqlite_file_in_a_missing_directory_is_refused_not_created(capsys, kaohe_env: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nonexistent" / "dir"
    _with(monkeypatch, KAOHE_DATABASE_URL=f"sqlite:///{missing / 'x.db'}")
    code, _, err = kaohe(capsys, "cycle", "list")
    assert "KAOHE_DATABASE_URL" in one_line_error(code, err, exit_code=2)
    assert not missing.exists() and not missing.parent.exists()


def test_kaohe_home_that_is_a_file(capsys, kaohe_env: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home-file"
    home.write_text("not a directory")
    _with(monkeypatch, KAOHE_HOME=str(home))
    code, _, err = kaohe(capsys, "cycle", "list")
    assert "KAOHE_HOME" in one_line_error(code, err, exit_code=2)


def test_holidays_file_that_is_a_directory(capsys, kaohe_env: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _with(monkeypatch, KAOHE_HOLIDAYS_FILE=str(tmp_path))
    code, _, err = kaohe(capsys, "plan", "mile", "--year", "2019")
    assert "KAOHE_HOLIDAYS_FILE" in one_line_error(code, err, exit_code=2)


@pytest.mark.parametrize("where", ["directory", "missing directory"])
def test_calendar_output_that_cannot_be_written(capsys, kaohe_env: Path, tmp_path: Path, where: str) -> None:  # type: ignore[no-untyped-def]
    roster = make_roster(tmp_path / "roster.csv", ["ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"])
    assert kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster))[0] == 0
    output = tmp_path if where == "directory" else tmp_path / "nowhere" / "a.ics"
    code, _, err = kaohe(capsys, "calendar", "mile-2018", "--ics", "-o", str(output))
    assert str(output) in one_line_error(code, err, exit_code=3)


@pytest.mark.parametrize(("name", "value", "args"), [
    ("KAOHE_SMS_TEMPLATES", "overdue=SMS_1", ("plan", "mile", "--year", "2019")),
    ("KAOHE_MAX_ROWS", "0", ("schemes",)),
    ("KAOHE_SMTP_PORT", "twenty-five", ("status",)),
])
def test_a_malformed_setting_is_one_line_naming_it(capsys, kaohe_env: Path, monkeypatch, name: str, value: str, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    _with(monkeypatch, **{name: value})
    code, out, err = kaohe(capsys, *args)
    assert one_line_error(code, err, exit_code=2).startswith(f"错误：环境变量 {name} 无效：") and out == ""
