"""Results flow up: the cities' published assessments of their counties become inputs of the province's
aggregation, with their provenance (which cycle, which version, who published and approved it)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid
from decimal import Decimal
from pathlib import Path

from cascade_support import SAMPLES, build_tree

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.services import build_context, local_operator
from kaohe.services.aggregation import Aggregate, aggregate
from kaohe.settings import Settings
from kaohe.store.audit import record
from kaohe.store.cycles import get_cycle
from kaohe.store.results import latest_version
from kaohe.workdays import load_calendar

COUNTY_GROUP = ("县（市、区）", "county")
ITEMS = ["贫困人口脱贫", "贫困村退出", "贫困县摘帽", "农村居民收入增长", "精准识别", "精准帮扶", "扶贫资金"]
HEADER = ["单位代码", "单位名称", "分组", "分组类型", *ITEMS, "领导班子有关责任人受到责任追究或诫勉谈话", "存在问题"]


def _county_rows() -> list[dict[str, str]]:
    rows = []
    for name in ("sichuan-city-suining-roster.csv", "sichuan-city-neijiang-roster.csv"):
        with (SAMPLES / name).open(encoding="utf-8") as handle:
            rows += [r for r in csv.DictReader(handle) if r["角色"] == "被考核单位"]
    return rows


def _sheet(path: Path, units: list[tuple[str, str, str, str]], score: dict[str, int]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for code, name, group, kind in units:
            writer.writerow([code, name, group, kind, *[score[code]] * len(ITEMS), "否", ""])
    return path


def test_the_cities_results_appear_in_the_provinces_aggregation_with_provenance(database_url: str, tmp_path: Path) -> None:
    counties = _county_rows()
    suffix = f"-{uuid.uuid4().hex[:6]}"
    created = dt.datetime(2019, 11, 1, 10, 0, tzinfo=BEIJING)
    with session_scope(database_url) as session:
        tree = build_tree(session, 2019, load_calendar(), created, suffix=suffix)
        keys = {code: city.key for code, city in tree.cities.items()}
        province_key = tree.province.key
        province_units = [(u.code, u.name, u.region or "市（州）", "") for u in tree.province.units if u.role == "assessed"]
    # the cities score their counties with the province's formula and publish; Neijiang's leading group approves
    score = {c["编码"]: 70 + n for n, c in enumerate(counties)}
    at = dt.datetime(2020, 2, 3, 17, 0, tzinfo=BEIJING)
    context = build_context(Settings.builtin().replaced(database_url=database_url, home=tmp_path))
    for code, prefix in (("SC-C08", "SN-"), ("SC-C09", "NJ-")):
        units = [(c["编码"], c["名称"], *COUNTY_GROUP) for c in counties if c["编码"].startswith(prefix)]
        result = aggregate(context, Aggregate(local_operator(f"{prefix}OFFICE"), keys[code],
                                              _sheet(tmp_path / f"{prefix}sheet.csv", units, score), at=at))
        assert result.version == 1 and result.units == 3
    with session_scope(database_url) as session:
        record(session, actor="NJ-LEADER", action="results.approved", cycle_id=get_cycle(session, keys["SC-C09"]).id, subject="v1",
               at=at + dt.timedelta(hours=1), detail={"step": "leading_group"})
    # the province aggregates its own 39 units; the cities' results come in with their provenance
    sheet = _sheet(tmp_path / "province-sheet.csv", province_units, {code: 85 for code, *_ in province_units})
    result = aggregate(context, Aggregate(local_operator("SC-OFFICE"), province_key, sheet, at=at + dt.timedelta(days=7)))
    assert result.units == 39
    with session_scope(database_url) as session:
        version = latest_version(session, get_cycle(session, province_key))
        assert version is not None
        children = version.inputs["children"]
    assert [(c["cycle"], c["version"], c["published_by"], c["parent_unit"], c["scheme"]) for c in children] == sorted(
        [(keys["SC-C08"], 1, "SN-OFFICE", "SC-C08", "sichuan-city-example"), (keys["SC-C09"], 1, "NJ-OFFICE", "SC-C09", "sichuan-city-example")])
    assert {c["cycle"]: [a["by"] for a in c["approvals"]] for c in children} == {keys["SC-C08"]: [], keys["SC-C09"]: ["NJ-LEADER"]}
    lines = {line["unit"]: line for c in children for line in c["lines"]}
    assert set(lines) == {c["编码"] for c in counties}
    for county in counties:
        assert lines[county["编码"]]["total"] == f"{score[county['编码']]:.2f}" and lines[county["编码"]]["group"] == "县（市、区）"
    assert lines["SN-X03"]["rank"] == 1 and lines["SN-X01"]["rank"] == 3  # ranked within its city
    assert all(c["scored"] == [] for c in children)  # the province does not rank the non-region counties itself


def test_child_inputs_rebuilt_from_a_published_report_score_to_the_same_totals() -> None:
    from kaohe.cascade.upward import ChildResults, child_inputs, provenance
    from kaohe.schemes.loader import load_lineage
    from kaohe.scoring import score, spec_from_mapping
    from kaohe.scoring.inputs import UnitInput
    from kaohe.settings import PROJECT_ROOT

    city = load_lineage(str(SAMPLES / "sichuan-city-example.yaml"), PROJECT_ROOT / "schemes")[0]
    spec = spec_from_mapping(city.scoring, city.id)
    assert spec is not None
    values = ["population_exit", "village_exit", "county_delisting", "income_growth", "precise_identification", "precise_assistance",
              "poverty_funds"]
    given = [UnitInput(unit=f"X{n}", name=f"县{n}", group=COUNTY_GROUP[0], kind=COUNTY_GROUP[1],
                       values={v: 60 + (n * 7 + i * 3) % 40 for i, v in enumerate(values)} | ({"county_delisting": None} if n % 2 else {}))
             for n in range(5)]
    published = json.loads(score(spec, given).to_json())
    child = ChildResults("city-2019", city.id, "SC-C08", 2, "2020-02-03T09:00:00+00:00", "SN-OFFICE", [], published)
    rebuilt, origin = child_inputs([child], {u.unit: COUNTY_GROUP for u in given}, listed=["X0"])
    assert sorted(rebuilt) == ["X1", "X2", "X3", "X4"]  # X0 is on the parent's own sheet
    again = score(spec, [given[0], *rebuilt.values()])
    assert {r.unit: r.total for r in again.results} == {r["unit"]: Decimal(r["total"]) for r in published["results"]}
    record = provenance([child], origin)
    assert record[0]["version"] == 2 and record[0]["scored"] == ["X1", "X2", "X3", "X4"] and len(record[0]["lines"]) == 5
