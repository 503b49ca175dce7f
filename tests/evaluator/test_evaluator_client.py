"""The evaluator client against the real reference evaluator over HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kaohe.errors import ConfigError, ExternalServiceError, StateError
from kaohe.evaluator import (
    EvaluatorAnswerError,
    EvaluatorClient,
    EvaluatorHTTPError,
    ReviewRequest,
    SampledUnit,
)
from kaohe.settings import SecretStr, Settings
from kaohe.testing.evaluator_server import DROP, Faults, ReferenceServer
from kaohe.testing.synthetic_reviews import synthetic_result

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., EvaluatorClient]


class RecordedSleep:
    """An injected sleep that records each delay instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleep() -> RecordedSleep:
    """The sleep injected into the client."""
    return RecordedSleep()


def statuses(server: ReferenceServer, method: str) -> list[int]:
    """The HTTP statuses the server answered to ``method`` requests, in order."""
    return [logged.status for logged in server.requests if logged.method == method]


async def test_happy_path_gives_every_unit_its_result(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
    sleep: RecordedSleep,
) -> None:
    client = make_client()

    ack = await client.submit(review)
    result = await client.collect(review.review_id)

    assert (ack.review_id, ack.status) == (review.review_id, "accepted")
    assert result.complete and result.status == "complete"
    assert result.results == tuple(synthetic_result(code) for code in review.unit_codes)
    assert result.problems == () and result.missing_units == ()
    assert server.review_count == 1 and sleep.delays == []


async def test_resubmitting_the_same_review_is_idempotent(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
) -> None:
    first = await make_client().submit(review)
    again = await make_client().submit(review)

    assert again == first
    assert server.submissions == 2 and server.review_count == 1


async def test_same_review_id_with_another_sample_is_refused_without_retry(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
    sleep: RecordedSleep,
) -> None:
    client = make_client()
    await client.submit(review)
    other = review.model_copy(update={"units": review.units[:2]})

    with pytest.raises(EvaluatorHTTPError, match="409") as caught:
        await client.submit(other)

    assert caught.value.status_code == 409 and sleep.delays == []
    assert server.review_count == 1


async def test_timeout_then_success_on_retry_counts_one_review(
    token: str,
    server: ReferenceServer,
    review: ReviewRequest,
    sleep: RecordedSleep,
) -> None:
    server.set_faults(Faults(delay=1.5, delayed_requests=1))
    async with httpx.AsyncClient(timeout=0.3) as http:
        client = EvaluatorClient(http, server.url, token, sleep=sleep)
        ack = await client.submit(review)

    assert ack.status == "accepted"
    assert sleep.delays == [0.5]
    assert statuses(server, "POST") == [202, 202]
    assert server.review_count == 1


@pytest.mark.parametrize(
    ("faults", "expected_delays", "expected_statuses"),
    [
        (Faults(failures=2), [0.5, 1.0], [503, 503, 202]),
        (Faults(failures=3, failure_status=500), [0.5, 1.0, 2.0], [500, 500, 500, 202]),
        (Faults(failures=1, failure_status=429), [0.5], [429, 202]),
        (Faults(failures=1, failure_status=429, retry_after=5), [5.0], [429, 202]),
    ],
    ids=["503-twice", "500-three-times", "429", "429-retry-after"],
)
async def test_transient_failures_are_retried_with_back_off(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
    sleep: RecordedSleep,
    faults: Faults,
    expected_delays: list[float],
    expected_statuses: list[int],
) -> None:
    server.set_faults(faults)

    ack = await make_client().submit(review)

    assert ack.status == "accepted"
    assert sleep.delays == expected_delays
    assert statuses(server, "POST") == expected_statuses


async def test_failures_beyond_the_attempts_raise_after_the_last_one(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
    sleep: RecordedSleep,
) -> None:
    server.set_faults(Faults(failures=10))

    with pytest.raises(EvaluatorHTTPError, match="已尝试 4 次") as caught:
        await make_client().submit(review)

    assert caught.value.retryable and caught.value.status_code == 503
    assert sleep.delays == [0.5, 1.0, 2.0]
    assert statuses(server, "POST") == [503] * 4
    assert server.review_count == 0


async def test_unreachable_evaluator_is_retried_then_reported(
    token: str,
    http: httpx.AsyncClient,
    review: ReviewRequest,
    sleep: RecordedSleep,
) -> None:
    with ReferenceServer(token=token) as stopped:
        url = stopped.url
    client = EvaluatorClient(http, url, token, sleep=sleep, attempts=3)

    with pytest.raises(EvaluatorHTTPError, match="已尝试 3 次，最后一次网络错误（ConnectError）") as caught:
        await client.submit(review)

    assert caught.value.retryable and caught.value.status_code is None
    assert sleep.delays == [0.5, 1.0]


async def test_wrong_token_is_not_retried(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
    sleep: RecordedSleep,
) -> None:
    with pytest.raises(EvaluatorHTTPError) as caught:
        await make_client(token=SecretStr("wrong-token")).submit(review)

    assert caught.value.status_code == 401 and not caught.value.retryable
    assert "KAOHE_EVALUATOR_TOKEN" in str(caught.value) and "wrong-token" not in str(caught.value)
    assert statuses(server, "POST") == [401] and sleep.delays == []


async def test_unknown_review_is_not_retried(
    make_client: MakeClient,
    server: ReferenceServer,
    sleep: RecordedSleep,
) -> None:
    with pytest.raises(EvaluatorHTTPError, match="找不到该评审") as caught:
        await make_client().collect("no-such-review", sample=["U1"])

    assert caught.value.status_code == 404
    assert statuses(server, "GET") == [404] and sleep.delays == []


async def test_malformed_json_raises_and_keeps_nothing(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
) -> None:
    client = make_client()
    await client.submit(review)
    server.set_faults(Faults(malformed_json=True))

    with pytest.raises(ExternalServiceError, match="不是合法的 JSON") as caught:
        await client.collect(review.review_id)

    assert isinstance(caught.value, EvaluatorAnswerError)
    assert caught.value.result.results == ()
    assert caught.value.result.missing_units == review.unit_codes


@pytest.mark.parametrize(
    ("faults", "kept", "expected_problems"),
    [
        (Faults(tamper={"U2": {"satisfaction": 1.5}}), ["U1", "U3", "U4"], ["单位 U2，字段 satisfaction：应为 0 到 1 之间的数，实际为 1.5"]),
        (Faults(tamper={"U3": {"exit_accuracy": DROP}}), ["U1", "U2", "U4"], ["单位 U3，字段 exit_accuracy：缺少该字段"]),
        (Faults(extra_units=("X999",)), ["U1", "U2", "U3", "U4"], ["单位 X999：不在本次抽样中，其结果不予采用"]),
        (Faults(extra_units=("U1",)), ["U2", "U3", "U4"], ["单位 U1：答复中有 2 条结果，均不予采用"]),
        (
            Faults(tamper={"U4": {"findings": [{"item": "精准识别", "severity": "轻微", "description": "—"}]}}),
            ["U1", "U2", "U3"],
            ["单位 U4，字段 findings[0].severity：应为 一般、较重、严重 之一，实际为 \"轻微\""],
        ),
        (
            Faults(tamper={"U2": {"identification_accuracy": -0.1}}, extra_units=("X999",)),
            ["U1", "U3", "U4"],
            ["单位 U2，字段 identification_accuracy：应为 0 到 1 之间的数，实际为 -0.1", "单位 X999：不在本次抽样中，其结果不予采用"],
        ),
    ],
    ids=["out-of-range", "missing-field", "unknown-unit", "duplicate-unit", "bad-severity", "two-problems"],
)
async def test_bad_results_are_reported_and_valid_ones_kept(
    make_client: MakeClient,
    server: ReferenceServer,
    review: ReviewRequest,
    faults: Faults,
    kept: list[str],
    expected_problems: list[str],
) -> None:
    client = make_client()
    await client.submit(review)
    server.set_faults(faults)

    with pytest.raises(EvaluatorAnswerError) as caught:
        await client.collect(review.review_id)

    result = caught.value.result
    assert [item.unit for item in result.results] == kept
    assert list(result.problems) == expected_problems
    assert list(result.missing_units) == [code for code in review.unit_codes if code not in kept]
    assert expected_problems[0] in str(caught.value)


async def test_partial_answer_is_not_an_error_and_lists_what_is_missing(
    token: str,
    review: ReviewRequest,
    http: httpx.AsyncClient,
    sleep: RecordedSleep,
) -> None:
    with ReferenceServer(token=token, partial_polls=2) as server:
        client = EvaluatorClient(http, server.url, token, sleep=sleep)
        await client.submit(review)

        first = await client.collect(review.review_id)
        final = await client.wait_for_results(review.review_id, poll_interval=7.0, max_polls=5)

        assert server.polls(review.review_id) == 3

    assert (first.status, first.complete) == ("partial", False)
    assert [item.unit for item in first.results] == ["U1"]
    assert first.missing_units == ("U2", "U3", "U4") and first.problems == ()
    assert final.complete and final.missing_units == ()
    assert [item.unit for item in final.results] == list(review.unit_codes)
    assert sleep.delays == [7.0]


async def test_waiting_stops_after_max_polls_with_the_partial_answer(
    token: str,
    review: ReviewRequest,
    http: httpx.AsyncClient,
    sleep: RecordedSleep,
) -> None:
    with ReferenceServer(token=token, partial_polls=8) as server:
        client = EvaluatorClient(http, server.url, token, sleep=sleep)
        await client.submit(review)

        result = await client.wait_for_results(review.review_id, poll_interval=2.0, max_polls=3)

    assert not result.complete and result.status == "partial"
    assert [item.unit for item in result.results] == ["U1"]
    assert sleep.delays == [2.0, 2.0]


async def test_first_poll_before_any_result_is_pending(
    token: str,
    review: ReviewRequest,
    http: httpx.AsyncClient,
    sleep: RecordedSleep,
) -> None:
    one_unit = review.model_copy(update={"units": review.units[:1]})
    with ReferenceServer(token=token, partial_polls=1) as server:
        client = EvaluatorClient(http, server.url, token, sleep=sleep)
        await client.submit(one_unit)
        result = await client.collect(one_unit.review_id)

    assert (result.status, result.results, result.missing_units) == ("pending", (), ("U1",))


async def test_collect_with_an_explicit_sample_from_a_new_client(
    make_client: MakeClient,
    review: ReviewRequest,
) -> None:
    await make_client().submit(review)

    result = await make_client().collect(review.review_id, sample=review.unit_codes)

    assert result.complete


async def test_collect_without_a_known_sample_is_refused(make_client: MakeClient, server: ReferenceServer) -> None:
    with pytest.raises(StateError, match="请传入 sample"):
        await make_client().collect("mile-2018-tp-001")

    assert server.requests == []


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"evaluator_url": None, "evaluator_token": "t"}, "KAOHE_EVALUATOR_URL"),
        ({"evaluator_url": "http://127.0.0.1:1", "evaluator_token": None}, "KAOHE_EVALUATOR_TOKEN"),
    ],
)
async def test_from_settings_requires_url_and_token(
    http: httpx.AsyncClient,
    values: dict[str, Any],
    message: str,
) -> None:
    settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]

    with pytest.raises(ConfigError, match=message):
        EvaluatorClient.from_settings(http, settings)


async def test_from_settings_talks_to_the_configured_evaluator(
    token: str,
    server: ReferenceServer,
    http: httpx.AsyncClient,
    review: ReviewRequest,
) -> None:
    settings = Settings(_env_file=None, evaluator_url=server.url + "/", evaluator_token=SecretStr(token))  # type: ignore[call-arg]

    ack = await EvaluatorClient.from_settings(http, settings).submit(review)

    assert ack.status == "accepted"


async def test_token_must_be_ascii(http: httpx.AsyncClient) -> None:
    with pytest.raises(ConfigError, match="ASCII"):
        EvaluatorClient(http, "http://127.0.0.1:1", "令牌")


def test_sample_units_must_be_unique() -> None:
    with pytest.raises(ValueError, match="抽样单位重复：U1"):
        ReviewRequest(review_id="r", cycle="2018", units=(SampledUnit(code="U1", name="甲"), SampledUnit(code="U1", name="乙")))
