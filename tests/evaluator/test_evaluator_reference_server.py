"""The reference evaluator's own side of the contract, spoken to with plain HTTP, and its command line."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kaohe.testing.evaluator_server import ReferenceServer, main

BODY: dict[str, Any] = {"review_id": "R1", "cycle": "2018", "units": [{"code": "U1", "name": "甲单位", "attributes": {}}], "callback": None}


@pytest.mark.parametrize(
    ("headers", "body", "status", "detail"),
    [
        ({"Idempotency-Key": "R1"}, BODY, 202, None),
        ({"Idempotency-Key": "other"}, BODY, 400, "请求头 Idempotency-Key 应与 review_id 相同"),
        ({}, BODY, 400, "请求头 Idempotency-Key 应与 review_id 相同"),
        ({"Idempotency-Key": "R1"}, {**BODY, "units": []}, 422, "评审请求不合规：字段 units"),
        ({"Idempotency-Key": "R1"}, {**BODY, "callback": "http://example.cn/hook"}, 422, "评审请求不合规：字段 callback"),
    ],
    ids=["accepted", "key-mismatch", "key-missing", "no-units", "callback-not-null"],
)
def test_submission_checks(
    server: ReferenceServer,
    token: str,
    headers: dict[str, str],
    body: dict[str, Any],
    status: int,
    detail: str | None,
) -> None:
    response = httpx.post(f"{server.url}/v1/reviews", json=body, headers={"Authorization": f"Bearer {token}", **headers})

    assert response.status_code == status
    if detail is not None:
        assert response.json()["detail"].startswith(detail)
        assert server.review_count == 0


def test_results_need_the_token(server: ReferenceServer) -> None:
    response = httpx.get(f"{server.url}/v1/reviews/R1")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_command_line_serves_then_stops_by_itself(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--port", "0", "--token", "demo", "--lifetime", "0.3"])

    printed = capsys.readouterr().out
    assert "第三方评估参考服务已启动：http://127.0.0.1:" in printed
    assert "KAOHE_EVALUATOR_TOKEN=demo" in printed
    assert printed.rstrip().endswith("参考评估服务已停止。")


def test_stopped_server_frees_its_port(token: str) -> None:
    with ReferenceServer(token=token) as server:
        url = server.url

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/v1/reviews/R1", headers={"Authorization": f"Bearer {token}"})
