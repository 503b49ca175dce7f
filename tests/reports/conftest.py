"""Fixtures of the report tests: real ScoreReports of the built-in schemes and their document metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kaohe.reports import ReportMeta, meta_from_scheme
from kaohe.schemes import load_scheme, load_spec
from kaohe.scoring import PreviousResult, ScoreReport, UnitInput, score

SCHEMES = Path(__file__).resolve().parents[2] / "schemes"


@pytest.fixture(scope="session")
def mile_report() -> ScoreReport:
    """弥勒市: three units of one poor township (one over the excellence places, one failing) and a company."""
    spec = load_spec("mile", SCHEMES)
    assert spec is not None
    units = [
        UnitInput(unit="0101", name="市财政局", group="西一镇", kind="贫困乡镇", values={"base": "92.5"},
                  items={"fund_input": "3"}, problems=["帮扶台账不全"], advice=["完善帮扶台账"]),
        UnitInput(unit="0102", name="市教育局", group="西一镇", kind="贫困乡镇", values={"base": 91}),
        UnitInput(unit="0103", name="市水务局", group="西一镇", kind="贫困乡镇", values={"base": 90}),
        UnitInput(unit="0104", name="市林草局", group="西一镇", kind="贫困乡镇", values={"base": "64.5"}),
        UnitInput(unit="0201", name="某建材公司", group="非公企业", values={"base": 86}, items={"fund_input": 25}),
    ]
    return score(spec, units)


@pytest.fixture(scope="session")
def mile_meta() -> ReportMeta:
    """Metadata of Mile's 2018 documents, issued 2019-03-07."""
    return meta_from_scheme(load_scheme("mile", SCHEMES), 2018, dt.date(2019, 3, 7))


@pytest.fixture(scope="session")
def sichuan_report() -> ScoreReport:
    """四川省: six cities with last year's results (C1 advanced then, C6 last then)."""
    spec = load_spec("sichuan", SCHEMES)
    assert spec is not None
    units = [
        UnitInput(unit=f"C{i}", name=f"第{i}市", group="市（州）",
                  values={"population_exit": 96 - 2 * i, "village_exit": None, "county_delisting": None,
                          "income_growth": 80, "precise_identification": 85, "precise_assistance": 90, "poverty_funds": 95})
        for i in range(1, 7)
    ]
    previous = [
        PreviousResult(unit="C1", selections=frozenset({"advanced"})),
        PreviousResult(unit="C6", selections=frozenset({"bottom"})),
    ]
    return score(spec, units, previous)
