"""The engine agrees with a plain, independent computation of mile's rules on any sheet: totals
(base + fund bonus capped at 20, total capped at 120, half-up to 2 places), grades (gaps go to the lower
grade), 优秀 places per group (poor township 2, non-poor 1, 非公企业 3; the rest 良好), the 18
collectives, and group and overall ranks (total, then base, then unit code)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.schemes import load_spec
from kaohe.scoring import ScoringSpec, UnitInput, score
from kaohe.settings import PROJECT_ROOT

PLACES = {"贫困乡镇": 2, "非贫困乡镇": 1, "非公企业": 3}
TOWNSHIPS = {"西一镇": "贫困乡镇", "东山镇": "贫困乡镇", "弥阳镇": "非贫困乡镇", "新哨镇": "非贫困乡镇", "非公企业": "非公企业"}
MILE: ScoringSpec | None = load_spec("mile", PROJECT_ROOT / "schemes")

halves = st.integers(min_value=120, max_value=200).map(lambda n: Decimal(n) / 2)
hundredths = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n) / 100)
funds = st.one_of(st.none(), st.integers(min_value=0, max_value=60).map(lambda n: Decimal(n) / 2), hundredths.map(lambda d: d / 3))


@st.composite
def sheets(draw: st.DrawFn) -> list[UnitInput]:
    count = draw(st.integers(min_value=1, max_value=60))
    units = []
    for n in range(count):
        group = draw(st.sampled_from(sorted(TOWNSHIPS)))
        base = draw(st.one_of(halves, hundredths))
        units.append(UnitInput(unit=f"U{draw(st.integers(0, 10**6)):07d}-{n}", name=f"单位{n}", group=group,
                               kind=None if group == "非公企业" else TOWNSHIPS[group], values={"base": base},
                               items={"fund_input": draw(funds)}))
    return units


def plain(units: list[UnitInput]) -> dict[str, tuple[str, str, int, int, bool]]:
    """(total, grade, rank, overall rank, collective) per unit, computed from the scheme's text alone."""
    rows = {}
    for u in units:
        base, fund = Decimal(u.values["base"]), min(Decimal(u.items["fund_input"] or 0), Decimal(20))  # type: ignore[arg-type]
        total = min(base + fund, Decimal(120)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        grade = "优秀" if total >= 90 else "良好" if total >= 80 else "合格" if total >= 70 else "不合格"
        rows[u.unit] = {"group": u.group, "total": total, "grade": grade, "key": (-total, -base, u.unit)}
    for group in {r["group"] for r in rows.values()}:
        members = sorted((c for c, r in rows.items() if r["group"] == group), key=lambda c: rows[c]["key"])
        places = PLACES[TOWNSHIPS[group]]  # type: ignore[index]
        for rank, code in enumerate(members, 1):
            rows[code]["rank"] = rank
            if rows[code]["grade"] == "优秀":
                if places:
                    places -= 1
                else:
                    rows[code]["grade"] = "良好"
    collectives = 18
    for rank, code in enumerate(sorted(rows, key=lambda c: rows[c]["key"]), 1):
        rows[code]["overall"] = rank
        rows[code]["collective"] = rows[code]["grade"] == "优秀" and collectives > 0
        collectives -= rows[code]["collective"]
    return {c: (format(r["total"], "f"), r["grade"], r["rank"], r["overall"], r["collective"]) for c, r in rows.items()}


@settings(max_examples=60, deadline=None)
@given(units=sheets())
def test_engine_matches_a_plain_computation(units: list[UnitInput]) -> None:
    assert MILE is not None
    report = score(MILE, units)
    got = {r.unit: (format(r.total, "f"), r.grade, r.rank, r.overall_rank, r.selected("advanced_collective")) for r in report.results}
    assert got == plain(units)
    assert [r.unit for r in report.results] == [c for g in report.groups for c in
                                                sorted((r.unit for r in report.results if r.group == g.id),
                                                       key=lambda c: report.result(c).rank)]
