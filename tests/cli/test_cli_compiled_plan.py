"""``kaohe plan`` of a file known as clean plans from its compiled form in the scheme cache, and prints exactly what
planning the validated file prints; a changed file (or parent) is loaded again."""

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
from kaohe.planning import plan_cycle
from kaohe.schemecompiled import compile_scheme, compiled_from_data, scheme_data
from kaohe.schemes.loader import load_scheme_chain
from kaohe.settings import PROJECT_ROOT, get_settings
from kaohe.workdays import load_calendar

BUILTIN = sorted(p.stem for p in (PROJECT_ROOT / "schemes").glob("*.yaml"))
CHILD = PROJECT_ROOT / "samples" / "sichuan-city-example.yaml"


def _plan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(cli, ["plan", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _entries(home: Path) -> list[Path]:
    return sorted((home / "cache" / "schemes").glob("*.json"))


def test_the_five_builtin_schemes(capsys, kaohe_env: Path) -> None:  # type: ignore[no-untyped-def]
    assert len(BUILTIN) == 5
    for scheme in BUILTIN:
        for year in ("2018", "2019", "2021"):
            for extra in ((), ("--json",), ("--outside-validity", "--holiday-policy", "next")):
                args = (scheme, "--year", year, *extra)
                shutil.rmtree(kaohe_env / "cache", ignore_errors=True)
                uncached = _plan(capsys, *args)
                cached = _plan(capsys, *args)
                assert cached == uncached, args
                assert uncached[1] or uncached[0] != 0


def test_a_child_scheme_and_its_parent(capsys, kaohe_env: Path) -> None:  # type: ignore[no-untyped-def]
    for args in ((str(CHILD), "--year", "2018"), (str(CHILD), "--year", "2019", "--json")):
        shutil.rmtree(kaohe_env / "cache", ignore_errors=True)
        uncached = _plan(capsys, *args)
        assert uncached[0] == 0 and ('"parent"' if "--json" in args else "各级截止日期对照") in uncached[1]
        assert _plan(capsys, *args) == uncached


@pytest.mark.parametrize("path", [*(PROJECT_ROOT / "schemes" / f"{s}.yaml" for s in BUILTIN), CHILD], ids=lambda p: p.stem)
def test_the_compiled_form_plans_alike_and_reads_back(path: Path) -> None:
    lineage = load_scheme_chain(path, search=(PROJECT_ROOT / "schemes",))
    compiled = [compile_scheme(s) for s in lineage]
    assert [compiled_from_data(json.loads(json.dumps(scheme_data(c)))) for c in compiled] == compiled
    calendar = load_calendar()
    for year in (2017, 2018, 2020, 2024):
        parent = None
        for model, plain in reversed(list(zip(lineage, compiled, strict=True))):
            expected = plan_cycle(model, year, calendar, parent=parent)
            assert plan_cycle(plain, year, calendar, parent=parent) == expected
            from kaohe.cascade.tree import plan_parent_dates

            parent = plan_parent_dates(expected)


@pytest.fixture
def own_schemes(kaohe_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "schemes"
    directory.mkdir()
    shutil.copy(PROJECT_ROOT / "schemes" / "mile.yaml", directory)
    shutil.copy(PROJECT_ROOT / "schemes" / "sichuan.yaml", directory)
    shutil.copy(CHILD, directory)
    monkeypatch.setenv("KAOHE_SCHEMES_DIR", str(directory))
    get_settings.cache_clear()
    return directory


def test_a_changed_file_is_not_served_from_the_cache(capsys, kaohe_env: Path, own_schemes: Path) -> None:  # type: ignore[no-untyped-def]
    before = _plan(capsys, "mile", "--year", "2019", "--json")
    assert _plan(capsys, "mile", "--year", "2019", "--json") == before and len(_entries(kaohe_env)) == 1
    mile = own_schemes / "mile.yaml"
    text = mile.read_text(encoding="utf-8")
    assert text.count("Y+1-01-23") >= 1
    mile.write_text(text.replace("Y+1-01-23", "Y+1-01-16"), encoding="utf-8")
    after = _plan(capsys, "mile", "--year", "2019", "--json")
    assert after[0] == 0 and after != before
    assert json.loads(after[1])["stages"][0]["source_due"] == "2020-01-16"
    assert _plan(capsys, "mile", "--year", "2019", "--json") == after and len(_entries(kaohe_env)) == 2


def test_a_changed_parent_is_loaded_again(capsys, kaohe_env: Path, own_schemes: Path) -> None:  # type: ignore[no-untyped-def]
    child = ("sichuan-city-example", "--year", "2018", "--json")
    before = _plan(capsys, *child)
    assert before[0] == 0 and _plan(capsys, *child) == before
    parent = own_schemes / "sichuan.yaml"
    parent.write_text(parent.read_text(encoding="utf-8") + "\n: [\n", encoding="utf-8")
    code, out, err = _plan(capsys, *child)
    assert code != 0 and out == "" and "sichuan.yaml" in err


def test_a_cached_plan_imports_neither_pydantic_nor_the_models_nor_yaml(kaohe_env: Path) -> None:
    code = ("import sys; from kaohe.cli import cli; from kaohe.cli.app import run; "
            "code = run(cli, ['plan', 'mile', '--year', '2019', '--json']); "
            "print(code, *(m in sys.modules for m in ('pydantic', 'kaohe.schemes.model', 'yaml', 'kaohe.schemes.checks')), file=sys.stderr)")
    env = {**os.environ, "KAOHE_HOME": str(kaohe_env)}
    first, second = (subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
                     for _ in range(2))
    assert first.stdout == second.stdout and json.loads(second.stdout)["stages"]
    assert first.stderr.split() == ["0", "True", "True", "True", "True"]
    assert second.stderr.split() == ["0", "False", "False", "False", "False"]
