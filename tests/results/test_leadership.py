"""四川 第九条（一）同责同咎、同查同奖：考核结果量化分解到各领导班子成员."""

from __future__ import annotations

import pytest

from kaohe.results.leadership import apportion_to_members, members_of
from kaohe.schemes import load_scheme_file, load_spec
from kaohe.scoring import UnitInput, score
from kaohe.settings import PROJECT_ROOT

SCHEMES = PROJECT_ROOT / "schemes"
VALUES = {"population_exit": 90, "village_exit": 90, "county_delisting": 90, "income_growth": 90,
          "precise_identification": 90, "precise_assistance": 90, "poverty_funds": 90}


def test_members_are_read_from_the_roster_column() -> None:
    assert members_of({"领导班子成员": "张某、李某，王某;张某"}) == ["张某", "李某", "王某"]
    assert members_of({}) == []


def test_every_member_carries_the_units_result_in_full() -> None:
    spec = load_spec("sichuan", SCHEMES)
    assert spec is not None
    units = [UnitInput(unit=f"C{n}", name=f"某市{n}", group="city", values={k: v - n for k, v in VALUES.items()}) for n in range(1, 7)]
    report = score(spec, units)
    shares = apportion_to_members(report, {"C1": ["张某", "李某"], "C6": ["王某"]})
    first, last = report.result("C1"), report.result("C6")
    assert [(s.member, s.total, s.rank) for s in shares] == [("张某", first.total, 1), ("李某", first.total, 1), ("王某", last.total, 6)]
    assert shares[0].selections == ("先进",) and shares[2].selections == ("排名末位",)
    with pytest.raises(KeyError):
        apportion_to_members(report, {"NOPE": ["某某"]})


def test_the_default_is_stated_where_every_result_lists_its_assumptions() -> None:
    scheme = load_scheme_file(SCHEMES / "sichuan.yaml")
    assumptions = {a["id"]: a["text"] for a in (scheme.scoring or {})["assumptions"]}
    assert "同责同咎" in assumptions["sichuan.joint_responsibility"]
    assert any("同责同咎" in p for p in scheme.open_points)
