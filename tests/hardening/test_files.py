"""Group 8 of issue #11: special files are refused without hanging, files are streamed (never read whole), and a
full disk during a multi-file write leaves nothing behind and records nothing.

The full disk is real where this machine lets the test mount a tiny tmpfs; the ``injected`` variant makes the
write function fail with ENOSPC instead (a fake for a disk that cannot be filled here), so both run in CI.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from hardening_support import kaohe, kaohe_process, one_line_error

from kaohe.settings import get_settings

UNIT = "ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"
SHEET_HEADER = "单位代码,单位名称,分组,分组类型,基础分,资金投入加分,存在问题,改进建议"


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "报告.pdf"
    os.mkfifo(path)
    return path


def test_a_fifo_as_report_is_refused_without_waiting(kaohe_env: Path, tmp_path: Path, fifo: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    key = mile_cycle([UNIT])
    code, _, err = kaohe_process("submit", key, "--unit", "ML-A01", "--stage", "self_check", "--report", str(fifo), timeout=60)
    line = one_line_error(code, err, exit_code=3)
    assert str(fifo) in line and "FIFO" in line


@pytest.mark.parametrize("command", ["submit", "score"])
def test_dev_zero_is_refused(kaohe_env: Path, tmp_path: Path, mile_cycle, command: str) -> None:  # type: ignore[no-untyped-def]
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    if command == "submit":
        key = mile_cycle([UNIT])
        args = ["submit", key, "--unit", "ML-A01", "--stage", "self_check", "--report", str(zero)]
    else:
        args = ["score", "mile", "--input", str(zero)]
    code, _, err = kaohe_process(*args, timeout=60, env={"KAOHE_MAX_FILE_BYTES": str(64 * 1024 * 1024)})
    assert "字符设备" in one_line_error(code, err, exit_code=3)


def test_a_file_over_the_size_limit_is_refused_by_its_size(capsys, kaohe_env: Path, tmp_path: Path, mile_cycle, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    key = mile_cycle([UNIT])
    report = tmp_path / "报告.pdf"
    report.write_bytes(b"x" * 2048)
    monkeypatch.setenv("KAOHE_MAX_FILE_BYTES", "1024")
    get_settings.cache_clear()
    code, _, err = kaohe(capsys, "submit", key, "--unit", "ML-A01", "--stage", "self_check", "--report", str(report))
    assert "KAOHE_MAX_FILE_BYTES" in one_line_error(code, err, exit_code=3)


def test_a_report_is_streamed_not_read_whole(capsys, kaohe_env: Path, tmp_path: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    key = mile_cycle([UNIT])
    report = tmp_path / "报告.pdf"
    with report.open("wb") as stream:
        for _ in range(24):
            stream.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    try:
        code, out, err = kaohe(capsys, "submit", key, "--unit", "ML-A01", "--stage", "self_check", "--report", str(report), "--json")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0, err
    assert peak < 12 * 1024 * 1024, f"peak Python allocation {peak} bytes for a 24 MiB report"
    [stored] = json.loads(out)["files"]
    assert stored["size"] == 24 * 1024 * 1024


@pytest.fixture(params=["tmpfs", "injected"])
def full_disk(request: pytest.FixtureRequest, kaohe_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A KAOHE_HOME that runs out of space (the database lives elsewhere): a 3 MiB tmpfs, or ENOSPC injected."""
    home = tmp_path / "home"
    home.mkdir()
    mounted = False
    if request.param == "tmpfs":
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(home)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
        mounted = True
    monkeypatch.setenv("KAOHE_HOME", str(home))
    monkeypatch.setenv("KAOHE_DATABASE_URL", f"sqlite:///{tmp_path / f'db-{uuid.uuid4().hex[:6]}.db'}")
    get_settings.cache_clear()
    try:
        yield request.param, home
    finally:
        get_settings.cache_clear()
        if mounted:
            subprocess.run(["umount", str(home)], check=False)


@contextmanager
def _fail_writes_after(calls: int) -> Iterator[None]:
    """Inside the block, the ``calls``-th and later file syncs kaohe does fail with ENOSPC (disk full)."""
    real = os.fsync
    count = {"n": 0}

    def fsync(fd: int) -> None:
        count["n"] += 1
        if count["n"] >= calls:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", fsync)
        yield


def _leftovers(home: Path, folder: str) -> list[Path]:
    return [p for p in (home / folder).rglob("*") if p.is_file()] if (home / folder).exists() else []


def test_a_full_disk_during_submit_keeps_nothing(capsys, full_disk, tmp_path: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    mode, home = full_disk
    key = mile_cycle([UNIT])
    report = tmp_path / "报告.pdf"
    report.write_bytes(os.urandom(4 * 1024 * 1024 if mode == "tmpfs" else 1024))
    with _fail_writes_after(1) if mode == "injected" else nullcontext():
        code, _, err = kaohe(capsys, "submit", key, "--unit", "ML-A01", "--stage", "self_check", "--report", str(report))
    assert "磁盘空间不足" in one_line_error(code, err, exit_code=5)
    assert _leftovers(home, "submissions") == []
    code, out, _ = kaohe(capsys, "submissions", "list", key, "--unit", "ML-A01", "--json")
    assert code == 0 and json.loads(out) == []


def test_a_full_disk_during_aggregation_keeps_nothing_and_records_no_version(capsys, full_disk, tmp_path: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    mode, home = full_disk
    units = [f"ML-A{n:02d},某局{n},市级部门,被考核单位,弥阳镇,否,ML-C01,a{n}@example.org" for n in range(40)]
    key = mile_cycle(units)
    sheet = tmp_path / "评分表.csv"
    sheet.write_text("\n".join([SHEET_HEADER] + [f"ML-A{n:02d},某局{n},弥阳镇,非贫困乡镇,{70 + n % 25},1,,"
                                                 for n in range(40)]) + "\n", encoding="utf-8")
    if mode == "tmpfs":
        filler = home / "filler"
        with filler.open("wb") as stream:
            stream.write(b"\0" * (3 * 1024 * 1024 - 400 * 1024))
    with _fail_writes_after(30) if mode == "injected" else nullcontext():
        code, _, err = kaohe(capsys, "results", "aggregate", key, "--input", str(sheet), "--at", "2019-02-20T10:00")
    assert "磁盘空间不足" in one_line_error(code, err, exit_code=5)
    assert _leftovers(home, "results") == []
    code, out, _ = kaohe(capsys, "results", "list", key, "--json")
    assert code == 0 and json.loads(out) == []
