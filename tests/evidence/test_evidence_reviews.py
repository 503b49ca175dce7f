"""Third-party review against the real reference evaluator over HTTP: what was received is always kept."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import pytest
from evidence_support import SICHUAN, TOKEN, bj, draw_stage
from sqlalchemy import func, select

from kaohe.db import session_scope
from kaohe.errors import ExternalServiceError, StateError
from kaohe.evaluator import EvaluatorAnswerError, EvaluatorClient, EvaluatorHTTPError
from kaohe.models import AuditEntry, ThirdPartyReview
from kaohe.services import build_context, local_operator
from kaohe.services.reviews import CollectReview, ReviewCollected, SendReview, collect_review, send_review
from kaohe.settings import Settings
from kaohe.store.cycles import get_cycle
from kaohe.testing.evaluator_server import Faults, ReferenceServer

STAGE = "third_party_evaluation"


async def _no_sleep(_: float) -> None:
    return None


def _with_client(server: ReferenceServer, call: Callable[[EvaluatorClient], Coroutine[Any, Any, Any]], timeout: float = 2.0) -> Any:
    async def go() -> Any:
        async with httpx.AsyncClient(timeout=timeout) as http:
            return await call(EvaluatorClient(http, server.url, TOKEN, attempts=2, base_delay=0, sleep=_no_sleep))

    return asyncio.run(go())


def _send(url: str, server: ReferenceServer, key: str) -> dict[str, Any]:
    command = SendReview(local_operator("OFFICE"), key, STAGE, at=bj(2020, 1, 3))
    return _with_client(server, lambda c: send_review(build_context(Settings(database_url=url)), command, client=c)).to_json()  # type: ignore[no-any-return]


def _collect(url: str, server: ReferenceServer, key: str, timeout: float = 2.0) -> ReviewCollected:
    command = CollectReview(local_operator("OFFICE"), key, STAGE, at=bj(2020, 1, 20))
    return _with_client(server, lambda c: collect_review(build_context(Settings(database_url=url)), command, client=c), timeout)  # type: ignore[no-any-return]


@pytest.fixture
def drawn(database_url, make_cycle, home) -> str:  # type: ignore[no-untyped-def]
    key = make_cycle("sichuan", 2019, SICHUAN)
    draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 2), seed="fixed-seed")
    return key


def test_send_then_collect_keeps_every_result(database_url, drawn, evaluator) -> None:
    sent = _send(database_url, evaluator, drawn)
    assert sent["new"] and sent["review_id"] == f"{drawn}-{STAGE}" and len(sent["units"]) == 4
    collected = _collect(database_url, evaluator, drawn)
    assert collected.error is None
    assert collected.summary["status"] == "complete" and collected.summary["missing"] == []
    assert sorted(collected.summary["received"]) == sorted(sent["units"])
    first = collected.summary["results"][sent["units"][0]]
    assert 0 <= first["satisfaction"] <= 1 and isinstance(first["findings"], list)


def test_sending_again_is_idempotent(database_url, drawn, evaluator) -> None:
    first, again = _send(database_url, evaluator, drawn), _send(database_url, evaluator, drawn)
    assert (first["new"], again["new"], evaluator.review_count) == (True, False, 1)
    with session_scope(database_url) as session:
        cycle = get_cycle(session, drawn)
        assert session.scalar(select(func.count()).select_from(ThirdPartyReview).where(ThirdPartyReview.cycle_id == cycle.id)) == 1


def test_partial_answers_accumulate_until_complete(database_url, drawn) -> None:
    with ReferenceServer(token=TOKEN, partial_polls=2) as server:
        _send(database_url, server, drawn)
        statuses = [(c.summary["status"], len(c.summary["received"])) for c in (_collect(database_url, server, drawn) for _ in range(3))]
    assert statuses == [("partial", 1), ("partial", 2), ("complete", 4)]


def test_a_partly_bad_answer_keeps_the_good_results(database_url, drawn, evaluator) -> None:
    units = _send(database_url, evaluator, drawn)["units"]
    evaluator.set_faults(Faults(tamper={units[0]: {"satisfaction": 1.7}}, extra_units=("NOT-SAMPLED",)))
    collected = _collect(database_url, evaluator, drawn)
    assert isinstance(collected.error, EvaluatorAnswerError)
    assert sorted(collected.summary["received"]) == sorted(units[1:]) and collected.summary["missing"] == [units[0]]
    assert collected.summary["status"] == "partial"
    assert any("satisfaction" in p for p in collected.summary["problems"])
    assert any("NOT-SAMPLED" in p for p in collected.summary["problems"])
    evaluator.set_faults(Faults())
    again = _collect(database_url, evaluator, drawn)
    assert again.error is None and again.summary["status"] == "complete" and again.summary["problems"] == []


def test_a_timeout_or_broken_json_loses_nothing_received_before(database_url, drawn) -> None:
    with ReferenceServer(token=TOKEN, partial_polls=1) as server:
        _send(database_url, server, drawn)
        before = _collect(database_url, server, drawn).summary["received"]
        assert len(before) == 2
        server.set_faults(Faults(delay=1.0, delayed_requests=4))
        timed_out = _collect(database_url, server, drawn, timeout=0.3)
        server.set_faults(Faults(malformed_json=True))
        broken = _collect(database_url, server, drawn)
    assert isinstance(timed_out.error, EvaluatorHTTPError) and "请求超时" in str(timed_out.error)
    assert timed_out.summary["received"] == before and timed_out.summary["error"] == str(timed_out.error)
    assert isinstance(broken.error, EvaluatorAnswerError) and "不是合法的 JSON" in broken.summary["problems"][0]
    assert broken.summary["received"] == before and broken.summary["status"] == "partial"


def test_send_failure_stores_nothing_and_is_audited(database_url, drawn) -> None:
    with ReferenceServer(token=TOKEN, faults=Faults(failures=5)) as server, pytest.raises(ExternalServiceError, match="已尝试 2 次"):
        _send(database_url, server, drawn)
    with session_scope(database_url) as session:
        cycle = get_cycle(session, drawn)
        assert session.scalar(select(func.count()).select_from(ThirdPartyReview).where(ThirdPartyReview.cycle_id == cycle.id)) == 0
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == cycle.id, AuditEntry.action.like("review.%"))).all() == [
            "review.send_failed"]


def test_nothing_to_send_before_a_draw_and_nothing_to_collect_before_sending(database_url, make_cycle, evaluator) -> None:
    key = make_cycle("sichuan", 2019, SICHUAN)
    with pytest.raises(StateError, match="尚无抽样结果"):
        _send(database_url, evaluator, key)
    with pytest.raises(StateError, match="尚未把样本送第三方评估"):
        _collect(database_url, evaluator, key)
