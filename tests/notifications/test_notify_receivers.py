"""The local receivers start, answer, record and stop."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest

from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver


def port_is_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("receiver_type", [LocalWebhookReceiver, LocalSmtpReceiver])
def test_context_manager_listens_inside_and_stops_on_exit(receiver_type: type[LocalWebhookReceiver] | type[LocalSmtpReceiver]) -> None:
    with receiver_type() as receiver:
        port = receiver.port
        assert port and port_is_open(port)
    assert not port_is_open(port)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/cgi-bin/webhook/send?key=k", {"errcode": 0, "errmsg": "ok"}),
        ("/cgi-bin/webhook/send", {"errcode": 93000, "errmsg": "invalid webhook url"}),
        ("/robot/send?access_token=t", {"errcode": 0, "errmsg": "ok"}),
        ("/open-apis/bot/v2/hook/abc", {"code": 0, "msg": "success", "data": {}}),
        ("/anything", {"id": "r1"}),
    ],
)
def test_answers_like_each_service(path: str, expected: dict[str, object]) -> None:
    with LocalWebhookReceiver() as hooks:
        reply = httpx.post(hooks.url + path, json={"x": 1}, trust_env=False)
        assert reply.json() == expected
        assert hooks.requests[0].json == {"x": 1}


def test_delay_and_failures_are_served_in_order() -> None:
    with LocalWebhookReceiver() as hooks:
        hooks.fail_next(1, status=503)
        hooks.delay_next(1, 0.3)
        with httpx.Client(trust_env=False) as client:
            assert client.post(hooks.url + "/x", json={}).status_code == 503
            started = time.monotonic()
            assert client.post(hooks.url + "/x", json={}).status_code == 200
            assert time.monotonic() - started >= 0.25
            assert client.post(hooks.url + "/x", json={}).status_code == 200


def test_path_prefix_limits_a_programmed_failure() -> None:
    with LocalWebhookReceiver() as hooks, httpx.Client(trust_env=False) as client:
        hooks.fail_next(1, code=130101, path_prefix="/robot/send")
        assert client.post(hooks.url + "/cgi-bin/webhook/send?key=k", json={}).json()["errcode"] == 0
        assert client.post(hooks.url + "/robot/send?access_token=t", json={}).json()["errcode"] == 130101


def test_many_concurrent_requests_are_all_recorded_and_keep_bounds_memory() -> None:
    async def blast(url: str, n: int) -> None:
        gate = asyncio.Semaphore(4)

        async def one(i: int) -> None:
            async with gate:
                await http.post(url, json={"n": i})

        async with httpx.AsyncClient(trust_env=False) as http:
            await asyncio.gather(*(one(i) for i in range(n)))

    with LocalWebhookReceiver(keep=100) as hooks:
        asyncio.run(blast(hooks.url + "/cgi-bin/webhook/send?key=k", 1000))
        assert hooks.count == 1000 and hooks.counts()["wecom"] == 1000
        assert len(hooks.requests) == 100


def test_smtp_receiver_wait_for_times_out_in_chinese() -> None:
    with LocalSmtpReceiver() as smtp, pytest.raises(TimeoutError, match="只收到 0 封邮件"):
        smtp.wait_for(1, timeout=0.05)
