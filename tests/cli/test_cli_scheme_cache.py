"""``kaohe schemes`` lists from a cache of clean files' summaries, trusted only while the file and its parents are unchanged."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.settings import PROJECT_ROOT


def _listing(capsys: pytest.CaptureFixture[str]) -> tuple[list[str], str]:
    code = run(cli, ["schemes", "--json"])
    out, err = capsys.readouterr()
    assert code == 0
    return [f"{s['id']}:{s['stages']}" for s in json.loads(out)], err


@pytest.fixture
def schemes(kaohe_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "schemes"
    directory.mkdir()
    shutil.copy(PROJECT_ROOT / "schemes" / "sichuan.yaml", directory)
    shutil.copy(PROJECT_ROOT / "samples" / "sichuan-city-example.yaml", directory)
    monkeypatch.setenv("KAOHE_SCHEMES_DIR", str(directory))
    return directory


def test_second_listing_comes_from_the_cache_and_matches(capsys, kaohe_env, schemes) -> None:  # type: ignore[no-untyped-def]
    first, err = _listing(capsys)
    assert [line.split(":")[0] for line in first] == ["sichuan-city-example", "sichuan"] and err == ""
    assert len(list((kaohe_env / "cache" / "schemes").glob("*.json"))) == 2
    assert _listing(capsys) == (first, "")


def test_a_changed_parent_is_loaded_again(capsys, kaohe_env, schemes) -> None:  # type: ignore[no-untyped-def]
    _listing(capsys)
    parent = schemes / "sichuan.yaml"
    parent.write_text(parent.read_text(encoding="utf-8") + "\n: [\n", encoding="utf-8")
    for _ in range(2):  # failures are never cached: the warnings come every time
        listed, err = _listing(capsys)
        assert listed == [] and "sichuan-city-example.yaml" in err and "sichuan.yaml" in err


def test_an_unreadable_entry_is_ignored(capsys, kaohe_env, schemes) -> None:  # type: ignore[no-untyped-def]
    first, _ = _listing(capsys)
    for entry in (kaohe_env / "cache" / "schemes").glob("*.json"):
        entry.write_bytes(b"\xff not json")
    assert _listing(capsys) == (first, "")
    assert _listing(capsys) == (first, "")


def test_a_home_that_is_a_file_only_loses_the_cache(capsys, kaohe_env, schemes, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    home = tmp_path / "home-file"
    home.write_text("x")
    monkeypatch.setenv("KAOHE_HOME", str(home))
    from kaohe.settings import get_settings

    get_settings.cache_clear()
    listed, err = _listing(capsys)
    assert len(listed) == 2 and err == ""


@pytest.mark.parametrize("args", [("plan", "mile", "--year", "2019"), ("plan", "sichuan-city-example", "--year", "2018", "--json")])
def test_plan_prints_the_same_from_a_checked_file(capsys, kaohe_env, schemes, args) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(PROJECT_ROOT / "schemes" / "mile.yaml", schemes)
    outputs = []
    for _ in range(2):
        code = run(cli, list(args))
        outputs.append((code, *capsys.readouterr()))
    assert outputs[0] == outputs[1] and outputs[0][0] == 0 and outputs[0][1]
    assert list((kaohe_env / "cache" / "schemes").glob("*.json"))


def test_plan_of_a_checked_file_skips_the_checks(kaohe_env: Path) -> None:
    code = ("import sys; from kaohe.cli import cli; from kaohe.cli.app import run; "
            "code = run(cli, ['plan', 'mile', '--year', '2019', '--json']); "
            "print(code, 'kaohe.schemes.checks' in sys.modules, 'kaohe.sampling' in sys.modules, file=sys.stderr)")
    env = {**os.environ, "KAOHE_HOME": str(kaohe_env)}
    first, second = (subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
                     for _ in range(2))
    assert first.stdout == second.stdout and json.loads(second.stdout)["stages"]
    assert first.stderr.split() == ["0", "True", "True"]
    assert second.stderr.split() == ["0", "False", "False"]


def test_the_code_the_cache_is_keyed_on_exists() -> None:
    from kaohe.schemecache import CODE

    missing = [str(path) for path in CODE if not path.exists()]
    assert missing == [], "a change to a module not in schemecache.CODE would not invalidate the cached schemes"
