"""Helpers of the hardening tests: run ``kaohe`` in-process and check the one-line error contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.cli import cli
from kaohe.cli.app import run

MILE_HEADER = "编码,名称,类别,角色,乡镇,贫困乡镇,上级,邮箱"
OFFICE_ROWS = [
    "ML-C01,市联席办,市级部门,协调办公室,,,,c01@example.org",
    "ML-V01,弥阳镇扶贫工作站,乡镇,核查单位,弥阳镇,否,ML-C01,v01@example.org",
    "ML-L01,市牵头考核单位,市级部门,牵头考核单位,,,ML-C01,l01@example.org",
    "ML-O01,市委组织部,市级部门,组织部,,,ML-C01,o01@example.org",
]


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``kaohe args`` in this process: (exit code, stdout, stderr)."""
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code: int, err: str, *, exit_code: int | None = None) -> str:
    """Assert the error contract (non-zero exit, a single 错误： line, no traceback); the line."""
    assert code != 0, err
    if exit_code is not None:
        assert code == exit_code, err
    lines = err.strip().splitlines()
    assert len(lines) >= 1 and all(line.startswith("错误：") for line in lines), err
    assert "Traceback" not in err
    return lines[0]


def make_roster(path: Path, rows: list[str], *, office: bool = True) -> Path:
    """A roster CSV with the 弥勒 header, the office rows (unless ``office`` is False) and ``rows``."""
    path.write_text("\n".join([MILE_HEADER, *(OFFICE_ROWS if office else []), *rows]) + "\n", encoding="utf-8")
    return path


def kaohe_process(*args: str, timeout: float = 120, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``kaohe args`` in a child process (for inputs that used to hang or exhaust memory); a hang fails."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from kaohe.cli import main; main()", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, check=False)
    return done.returncode, done.stdout, done.stderr
