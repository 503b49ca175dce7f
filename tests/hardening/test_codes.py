"""Group 3 of issue #11: unit codes that would break later commands are refused at the roster, one line per row,
and the names derived from codes on disk never collide."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardening_support import kaohe, make_roster, one_line_error

from kaohe.evidence.files import submission_dir

BAD_CODES = ["A" * 300, "A/B", "../etc", "\x1b[31mRED", "ML-A01\nX", "a b", "-rf", "ＭＬ／Ａ"]


@pytest.mark.parametrize("bad", BAD_CODES)
def test_an_unsafe_code_is_refused_at_import_with_its_row(capsys, kaohe_env: Path, tmp_path: Path, bad: str) -> None:  # type: ignore[no-untyped-def]
    quoted = '"' + bad + '"' if "\n" in bad else bad
    roster = make_roster(tmp_path / "roster.csv", [f"{quoted},某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"])
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster))
    line = one_line_error(code, err, exit_code=3)
    assert "第6行" in line and "编码" in line
    assert "\x1b" not in err and len(line) < 300
    code, out, _ = kaohe(capsys, "cycle", "list", "--json")
    assert code == 0 and "mile-2018" not in out


def test_codes_that_differ_only_in_case_are_refused(capsys, kaohe_env: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = make_roster(tmp_path / "roster.csv", ["ml-a1,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org",
                                                   "ML-A1,某局二,市级部门,被考核单位,弥阳镇,否,ML-C01,b@example.org"])
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster))
    assert "第7行" in one_line_error(code, err, exit_code=3) and "大小写" in err


def test_slash_and_underscore_codes_get_different_submission_dirs() -> None:
    assert submission_dir("c", "A/B", "s", 1) != submission_dir("c", "A_B", "s", 1)
