"""Properties over generated populations: subsets, stratum sizes, rounding bounds, verifiability."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.sampling import Candidate, Exclusion, draw, verify

GROUPS = ["甲旗", "乙旗", "丙旗"]
KINDS = ["township", "village"]

units = st.lists(
    st.tuples(st.sampled_from(GROUPS), st.sampled_from(KINDS), st.booleans()),
    min_size=1, max_size=40,
).map(lambda rows: [
    Candidate(f"U{i:03}", f"单位{i}", group, {"kind": kind, "township": group, "city": group, "planned_exit": str(flag).lower()})
    for i, (group, kind, flag) in enumerate(rows)
])
seeds = st.text(min_size=1, max_size=20)


@st.composite
def population_and_exclusions(draw_from: st.DrawFn) -> tuple[list[Candidate], list[Exclusion]]:
    candidates = draw_from(units)
    chosen = draw_from(st.lists(st.sampled_from([c.code for c in candidates]), unique=True, max_size=len(candidates)))
    return candidates, [Exclusion(code, "本年度已覆盖") for code in chosen]


@settings(max_examples=60, deadline=None)
@given(population_and_exclusions(), seeds, st.integers(1, 5), st.integers(1, 5))
def test_per_group_fixed_takes_min_of_quota_and_available(data, seed, townships, villages) -> None:
    candidates, exclusions = data
    record = draw({"rule": "per_group_fixed", "quotas": {"township": townships, "village": villages}}, candidates, seed, exclusions)
    eligible = {c.code for c in candidates} - {e.code for e in exclusions}
    assert set(record.selected()) <= eligible
    assert len(record.selected()) == len(set(record.selected()))
    for stratum in record.strata:
        group, kind = stratum.stratum
        available = {c.code for c in candidates if c.group == group and c.attributes["kind"] == kind} & eligible
        assert stratum.available == len(available)
        assert set(stratum.selected) <= available
        assert len(stratum.selected) == min(stratum.wanted, len(available))
    assert [s.stratum for s in record.shortfalls] == [s.stratum for s in record.strata if s.available < s.wanted]


@settings(max_examples=60, deadline=None)
@given(
    population_and_exclusions(), seeds,
    st.decimals(min_value=Decimal("0.01"), max_value=1, places=2),
    st.sampled_from(["ceil", "floor", "half_up"]), st.integers(0, 3),
)
def test_proportion_rounding_bounds(data, seed, proportion, rounding, minimum) -> None:
    candidates, exclusions = data
    rule = {"rule": "proportion_stratified", "proportion": str(proportion), "stratify_by": ["township", "kind"],
            "rounding": rounding, "minimum_per_stratum": minimum}
    record = draw(rule, candidates, seed, exclusions)
    excluded = {e.code for e in exclusions}
    assert not set(record.selected()) & excluded
    for stratum in record.strata:
        size = stratum.population
        exact = Fraction(proportion) * size
        assert min(size, minimum) <= stratum.wanted <= size
        if minimum < stratum.wanted < size:  # neither the minimum nor the stratum size decided it
            rounded = {"ceil": math.ceil(exact), "floor": math.floor(exact), "half_up": math.floor(exact + Fraction(1, 2))}
            assert stratum.wanted == rounded[rounding]
        assert len(stratum.selected) == min(stratum.wanted, stratum.available)


@settings(max_examples=60, deadline=None)
@given(population_and_exclusions(), seeds, st.sampled_from([1, 2]))
def test_sichuan_inspects_every_exiting_county_and_draws_elsewhere(data, seed, n) -> None:
    candidates, exclusions = data
    record = draw({"rule": "sichuan_exit_counties", "random_when_none": n}, candidates, seed, exclusions)
    excluded = {e.code for e in exclusions}
    for stratum in record.strata:
        members = [c for c in candidates if c.attributes["city"] == stratum.stratum[0]]
        exiting = {c.code for c in members if c.attributes["planned_exit"] == "true"}
        if exiting:
            assert set(stratum.selected) == exiting - excluded
        else:
            pool = {c.code for c in members} - excluded
            assert set(stratum.selected) <= pool
            assert len(stratum.selected) == min(n, len(pool))


@settings(max_examples=40, deadline=None)
@given(population_and_exclusions(), seeds, st.sampled_from([
    {"rule": "per_group_fixed", "quotas": {"township": 2, "village": 3}, "within_drawn": {"village": "township"}},
    {"rule": "proportion_stratified", "proportion": "0.5", "stratify_by": ["kind"]},
    {"rule": "sichuan_exit_counties"},
]))
def test_every_draw_verifies_and_repeats(data, seed, rule) -> None:
    candidates, exclusions = data
    record = draw(rule, candidates, seed, exclusions)
    assert verify(record.to_dict()).ok
    assert draw(rule, list(reversed(candidates)), seed, list(reversed(exclusions))) == record
