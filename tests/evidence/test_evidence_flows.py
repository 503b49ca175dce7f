"""The stage-work flows under a real Prefect test server: a sample drawn when its stage opens, sent, collected."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from evidence_support import MILE_ROSTER, SICHUAN, TOKEN, bj
from sqlalchemy import select

from kaohe.db import session_scope
from kaohe.engine.advance import decide
from kaohe.flows.stage_work import start_stage_work
from kaohe.models import OutboxMessage, SampleDraw, ThirdPartyReview
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT, get_settings
from kaohe.store.advance import (
    apply_decisions,
    escalation_targets,
    obligation_states,
    stage_states,
)
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.testing.evaluator_server import ReferenceServer
from kaohe.workdays import load_calendar

pytestmark = pytest.mark.prefect


@pytest.fixture
def flow_settings(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None) -> Iterator[ReferenceServer]:
    """Settings for the flows: the test database, a private home and a running reference evaluator."""
    with ReferenceServer(token=TOKEN) as server:
        monkeypatch.setenv("KAOHE_DATABASE_URL", database_url)
        monkeypatch.setenv("KAOHE_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("KAOHE_EVALUATOR_URL", server.url)
        monkeypatch.setenv("KAOHE_EVALUATOR_TOKEN", TOKEN)
        get_settings.cache_clear()
        yield server
    get_settings.cache_clear()


def _advance(url: str, key: str, instant: dt.datetime) -> list[str]:
    """What the advance flow does, then the call it makes to start stage work; returns the flows started."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        decisions = decide(stage_states(cycle), obligation_states(session, cycle), escalation_targets(cycle), load_calendar(),
                           since=cycle.advanced_to, now=instant, office_hours=cycle.office_hours)
        apply_decisions(session, cycle, decisions, now=instant, actor="test")
    return asyncio.run(start_stage_work(key, list(decisions.open_stages), list(decisions.close_stages), instant))


def test_sampling_then_third_party_review_through_the_cycle(database_url, make_cycle, flow_settings) -> None:
    key = make_cycle("sichuan", 2019, SICHUAN)
    assert _advance(database_url, key, bj(2019, 12, 1, 9)) == []
    assert _advance(database_url, key, bj(2020, 1, 1, 9)) == [
        "sampling-stage:provincial_spot_check", "third-party-stage:third_party_evaluation"]
    assert _advance(database_url, key, bj(2020, 1, 10, 9)) == []
    assert _advance(database_url, key, bj(2020, 2, 10, 9)) == ["third-party-stage:third_party_evaluation"]
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        draw = session.scalars(select(SampleDraw).where(SampleDraw.cycle_id == cycle.id)).one()
        review = session.scalars(select(ThirdPartyReview).where(ThirdPartyReview.cycle_id == cycle.id)).one()
        told = session.scalars(select(OutboxMessage.unit_id).where(OutboxMessage.cycle_id == cycle.id,
                                                                   OutboxMessage.kind == "sample_drawn")).all()
    assert draw.drawn_by == "flow:stage-work" and len(draw.drawn_units) == 4
    assert review.units == draw.drawn_units and review.status == "complete" and sorted(review.results) == sorted(draw.drawn_units)
    assert len(told) == 3
    assert (Path(get_settings().home) / "samples" / key / "provincial_spot_check.json").exists()


def test_a_sampling_stage_without_a_rule_is_skipped_not_failed(database_url, tmp_path, flow_settings) -> None:
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    stages = [s.model_copy(update={"sampling": None}) if s.id == "spot_check" else s for s in scheme.stages]
    scheme = scheme.model_copy(update={"stages": stages})  # a county's file that names no sampling rule
    roster = tmp_path / "roster.csv"
    roster.write_text(MILE_ROSTER, encoding="utf-8")
    key = "mile-2018-norule"
    with session_scope(database_url) as session:
        create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, 2018, load_calendar()), roster=read_roster(roster),
                     actor="test", now=bj(2018, 11, 1))
    assert _advance(database_url, key, bj(2019, 2, 15, 9)) == ["sampling-stage:spot_check"]
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        assert session.scalars(select(SampleDraw).where(SampleDraw.cycle_id == cycle.id)).all() == []
