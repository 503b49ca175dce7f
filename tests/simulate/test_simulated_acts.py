"""What simulated participants plan and hand in, checked without running a cycle: the tables read back
through the real parser, every act falls where a person could do it, and the seed fixes everything."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.clock import BEIJING
from kaohe.engine.state import ObligationState, StageState
from kaohe.evidence.indicators import indicators_for
from kaohe.evidence.score_table import parse_score_table
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.simulate.acts import (
    Act,
    Aggregate,
    CloseOrder,
    CommitSeed,
    HandIn,
    IssueOrder,
    Verify,
    plan_cycle_acts,
    plan_orders,
    plan_rectifications,
)
from kaohe.simulate.documents import score_table, scored_items
from kaohe.testing.simulated_scores import simulated_inputs
from kaohe.workdays import load_calendar

CAL = load_calendar()
MILE = load_scheme("mile", PROJECT_ROOT / "schemes")
ROSTER = read_roster(PROJECT_ROOT / "samples" / "mile-roster.csv")
TRUTHS = simulated_inputs(MILE.scoring_spec, ROSTER, "kaohe")  # type: ignore[arg-type]
INDICATORS = indicators_for(MILE.scoring_spec)


def _mile_cycle() -> tuple[list[StageState], list[ObligationState]]:
    plan = plan_cycle(MILE, 2018, CAL)
    roles = {s.id: s.actor for s in MILE.stages}
    stages = [StageState(s.id, s.kind, roles[s.id], s.opens, s.due, "pending", None) for s in plan.stages]
    obligations = [ObligationState(n, s.key, e.code, s.due_at, "pending")
                   for n, (s, e) in enumerate(((s, e) for s in stages for e in ROSTER if str(e.role) == s.actor), start=1)]
    return stages, obligations


def _acts(seed: str) -> list[Act]:
    stages, obligations = _mile_cycle()
    return plan_cycle_acts(stages, obligations, {s.id: s.submit for s in MILE.stages}, ROSTER, CAL, "09:00", seed=seed,
                           aggregate=True)


@pytest.mark.parametrize("verified", [False, True], ids=["self-score table", "verification sheet"])
def test_generated_tables_read_back_through_the_real_parser(verified: bool) -> None:
    for truth in TRUTHS:
        items = scored_items(INDICATORS, truth, "kaohe")
        rows = parse_score_table(score_table(items, verified=verified), "表.csv", INDICATORS)
        assert [(r.item_id, r.score) for r in rows] == [(i.item, i.verified if verified else i.claimed) for i in items]


@given(st.text(min_size=1, max_size=12))
def test_a_unit_claims_at_most_a_little_more_than_the_verifier_finds(seed: str) -> None:
    for truth in TRUTHS[:8]:
        for item in scored_items(INDICATORS, truth, seed):
            indicator = INDICATORS.match(item.item)
            assert indicator is not None and indicator.maximum is not None
            assert item.verified <= item.claimed <= indicator.maximum
            assert item.claimed - item.verified <= Decimal(3)
            assert bool(item.verifier_note) == (item.claimed != item.verified)


def test_the_same_seed_plans_the_same_acts_and_another_seed_other_ones() -> None:
    assert _acts("kaohe") == _acts("kaohe")
    assert _acts("kaohe") != _acts("another")


def test_acts_fall_where_a_person_could_do_them() -> None:
    acts = _acts("kaohe")
    stages = {s.key: s for s in _mile_cycle()[0]}
    hand_ins = [a for a in acts if isinstance(a, HandIn)]
    assert {a.stage for a in hand_ins if a.scores} == {"self_check", "submission"}
    assert not {a.stage for a in hand_ins} & {"verification", "summary", "feedback", "rectification"}
    last_scores = {a.unit: a.at for a in sorted(hand_ins, key=lambda a: a.at) if a.scores}
    verifications = [a for a in acts if isinstance(a, Verify)]
    assert {v.unit for v in verifications} == set(last_scores)
    for verify in verifications:
        assert verify.at > last_scores[verify.unit] and CAL.is_working_day(verify.at.astimezone(BEIJING).date())
    [commit] = [a for a in acts if isinstance(a, CommitSeed)]
    opens = stages["spot_check"].opens_at
    assert commit.stage == "spot_check" and opens is not None and commit.at < opens
    [aggregate] = [a for a in acts if isinstance(a, Aggregate)]
    assert aggregate.at <= stages["summary"].due_at


def test_two_orders_are_issued_on_the_first_working_day_and_only_one_is_closed() -> None:
    plan = plan_orders([e.code for e in ROSTER if str(e.role) == "assessed"], dt.date(2018, 12, 1), CAL, "09:00", seed="kaohe")
    issued = [a for a in plan if isinstance(a, IssueOrder)]
    [closing] = [a for a in plan if isinstance(a, CloseOrder)]
    assert len(issued) == 2 and issued[0].unit != issued[1].unit
    assert {a.at for a in issued} == {dt.datetime(2018, 12, 3, 9, tzinfo=BEIJING)}
    assert closing.label == issued[0].label and closing.at.date() < issued[0].due


@pytest.mark.parametrize(("units", "reporting"), [(1, 1), (2, 1), (3, 2), (6, 5)])
def test_every_rectifying_unit_but_one_reports_on_time(units: int, reporting: int) -> None:
    codes = [f"U{n}" for n in range(units)]
    opens = dt.datetime(2019, 3, 12, tzinfo=BEIJING)
    due = dt.datetime(2019, 3, 18, 23, 59, 59, tzinfo=BEIJING)
    planned = plan_rectifications(codes, opens, due, CAL, seed="kaohe")
    assert len({r.unit for r in planned}) == reporting
    assert all(opens <= r.at <= due and CAL.is_working_day(r.at.date()) for r in planned)
