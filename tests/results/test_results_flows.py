"""The results flows under Prefect: aggregation from signed-off verified scores when the aggregation stage
closes, feedback when the feedback stage has begun, and a failed aggregation that does not stop the advance."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from results_support import MILE_SHEET, approve_all, audit, bj, messages

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.engine.advance import decide
from kaohe.errors import NotFoundError
from kaohe.flows.aggregation_stage import aggregate_cycle, start_results_work
from kaohe.models import ItemScore, VerificationSignoff
from kaohe.settings import get_settings
from kaohe.store.advance import escalation_targets, obligation_states, stage_states
from kaohe.store.cycles import get_cycle
from kaohe.store.results import get_version
from kaohe.workdays import load_calendar

# The sample sheet's scores, as the township verifiers signed them off: (基础分, 资金投入加分).
VERIFIED = {"M01": ("92", "3"), "M02": ("88.5", "2"), "M03": ("95", "0"), "M04": ("68", "1.5"), "M05": ("79.99", "0"),
            "M06": ("86", "25"), "M07": ("60", "0")}
CLOSED = bj(2019, 3, 8, 0, 0, 0) + dt.timedelta(seconds=1)


@pytest.fixture
def results_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness: None):  # type: ignore[no-untyped-def]
    """Settings for the flows: the test database, documents under a private home."""
    monkeypatch.setenv("KAOHE_DATABASE_URL", database_url)
    monkeypatch.setenv("KAOHE_HOME", str(tmp_path))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


def sign_off(url: str, key: str, units: dict[str, tuple[str, str]]) -> None:
    """Store verified item scores and the verifier's signature for ``units``."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        by_code = {u.code: u for u in cycle.units}
        for code, (base, fund) in units.items():
            unit = by_code[code]
            for position, (item, name, value) in enumerate((("base", "基础分", base), ("fund_input", "资金投入加分", fund))):
                session.add(ItemScore(cycle_id=cycle.id, unit_id=unit.id, item_id=item, item_name=name, position=position,
                                      self_score=Decimal(value), verified_score=Decimal(value), verified_by="V1",
                                      verified_at=bj(2019, 1, 26)))
            session.add(VerificationSignoff(cycle_id=cycle.id, unit_id=unit.id, signed_by="V1", signed_at=bj(2019, 1, 26),
                                            verified_total=Decimal(base) + Decimal(fund)))


def test_closing_the_summary_aggregates_verified_scores_then_feedback_goes_out(make_mile_cycle, results_env, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    sign_off(results_env, key, VERIFIED)
    done = asyncio.run(start_results_work(key, [], ["summary"], CLOSED))
    assert done == ["已汇总并发布第1版考核结果（7个单位，2个单位须整改）"]
    with session_scope(results_env) as session:
        version = get_version(session, get_cycle(session, key))
        assert version.inputs["counts"] == {"核实得分": 7}
        assert [(r["unit"], r["total"], r["grade"]) for r in version.report["results"]][:3] == [
            ("M03", "95.00", "优秀"), ("M01", "95.00", "优秀"), ("M02", "90.50", "良好")]
    assert (tmp_path / "results" / key / "v1" / "考核报告.html").is_file()
    assert messages(results_env, key) == []  # the feedback stage has not begun in this cycle's records

    done = asyncio.run(start_results_work(key, ["feedback"], [], bj(2019, 3, 8, 9)))
    assert done == ["第1版结果暂不通知各单位：尚待市扶贫开发领导小组和市联席会议审定（第五条（五））"]
    approve_all(results_env, tmp_path, key, bj(2019, 3, 8, 10))
    done = asyncio.run(start_results_work(key, ["feedback"], [], bj(2019, 3, 8, 11)))
    assert done == ["已发送第1版考核结果通知（9条）"]
    assert sorted((c, k) for c, k, _, _ in messages(results_env, key) if k == "rectification") == [("M04", "rectification"), ("M07", "rectification")]
    assert asyncio.run(start_results_work(key, [], ["summary"], bj(2019, 3, 9))) == ["汇总阶段已截止：已有第1版考核结果，不重新汇总"]


def test_rectification_reminders_reach_the_failing_units_by_17_march(make_mile_cycle, results_env) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    asyncio.run(aggregate_cycle(key, as_of=bj(2019, 3, 7, 16), input=str(MILE_SHEET)))
    with session_scope(results_env) as session:
        cycle = get_cycle(session, key)
        states, owed, targets = stage_states(cycle), obligation_states(session, cycle), escalation_targets(cycle)
    windows = [(bj(2019, 3, 8), bj(2019, 3, 12, 10)), (bj(2019, 3, 12, 10), bj(2019, 3, 17, 23, 59))]
    reminders = []
    for since, now in windows:
        decisions = decide(states, owed, targets, load_calendar(), since=since, now=now, office_hours="09:00")
        reminders += sorted((d.unit_code, d.kind, d.at.astimezone(BEIJING).date().isoformat())
                            for d in decisions.deliveries if d.stage_key == "rectification")
    assert reminders == [("M04", "stage_opened", "2019-03-12"), ("M07", "stage_opened", "2019-03-12"),
                         ("M04", "upcoming", "2019-03-14"), ("M07", "upcoming", "2019-03-14")]


def test_a_failed_aggregation_is_audited_and_does_not_stop_the_advance(make_mile_cycle, results_env) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    sign_off(results_env, key, {"M01": VERIFIED["M01"]})
    done = asyncio.run(start_results_work(key, [], ["summary"], CLOSED))
    assert len(done) == 1 and done[0].startswith("自动汇总未完成：单位 M02（市教育局）：既没有已签字确认的核实得分")
    [entry] = audit(results_env, key, "results.aggregation_failed")
    assert len(entry.detail["problems"]) == 6 and entry.detail["error"] == "ScoreSheetError"
    with session_scope(results_env) as session, pytest.raises(NotFoundError, match="没有考核结果"):
        get_version(session, get_cycle(session, key))
