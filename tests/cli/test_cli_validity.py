"""Validity periods (四川 第四条 2016—2020；内蒙古 五、鄂尔多斯 第八条 2018—2020): planning outside them
needs an explicit option and then warns."""

from __future__ import annotations

import json

import pytest

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.settings import PROJECT_ROOT

SICHUAN_ROSTER = PROJECT_ROOT / "samples" / "sichuan-roster.csv"


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("scheme", "year", "period"), [
    ("sichuan", 2021, "2016—2020年，第四条"),
    ("sichuan", 2015, "2016—2020年，第四条"),
    ("inner-mongolia-teams", 2021, "2018—2020年，五"),
    ("ordos", 2017, "2018—2020年，第八条"),
])
def test_planning_a_year_outside_the_validity_period_is_refused_without_the_option(
        capsys, kaohe_env, scheme: str, year: int, period: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "plan", scheme, "--year", str(year))
    assert code == 3 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert f"{year}年度不在" in err and period in err and "--outside-validity" in err


def test_the_option_plans_it_and_warns(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "plan", "sichuan", "--year", "2021", "--outside-validity", "--json")
    assert code == 0
    plan = json.loads(out)
    assert plan["stages"] and any("2021年度不在" in w for w in plan["warnings"])


@pytest.mark.parametrize(("scheme", "year"), [("sichuan", 2016), ("sichuan", 2020), ("ordos", 2018), ("mile", 2030), ("qujiang", 2025)])
def test_years_inside_the_period_or_without_one_plan_without_a_warning(
        capsys, kaohe_env, scheme: str, year: int) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = kaohe(capsys, "plan", scheme, "--year", str(year), "--json")
    assert code == 0
    assert not any("有效期" in w for w in json.loads(out)["warnings"])


def test_creating_a_cycle_outside_the_period_needs_the_option(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, _, err = kaohe(capsys, "cycle", "create", "sichuan", "--year", "2021", "--roster", str(SICHUAN_ROSTER))
    assert code == 3 and "--outside-validity" in err
    code, _, _ = kaohe(capsys, "cycle", "list", "--json")
    code, out, err = kaohe(capsys, "cycle", "create", "sichuan", "--year", "2021", "--roster", str(SICHUAN_ROSTER),
                           "--outside-validity", "--json")
    assert code == 0 and json.loads(out)["cycle"] == "sichuan-2021"
    assert "警告" in err and "有效期" in err
