"""Group 7 of issue #11: an evaluator answer nested 100,000 deep is a known error, not a RecursionError, and an
answer trickled a byte at a time meets the overall deadline (KAOHE_EVALUATOR_DEADLINE_SECONDS)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from kaohe.errors import ExternalServiceError
from kaohe.evaluator.answer import read_ack, read_review_answer
from kaohe.evaluator.client import EvaluatorClient
from kaohe.settings import Settings

ANSWER = b'{"review_id": "r1", "status": "complete", "results": []}'


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, b"[" * 50_000 + b"]" * 50_000])
def test_deeply_nested_answers_are_reported_not_raised(body: bytes) -> None:
    result = read_review_answer(body, review_id="r1", sample=["ML-A01"])
    assert result.problems and "KAOHE_MAX_JSON_DEPTH" in result.problems[0]
    with pytest.raises(ExternalServiceError, match="KAOHE_MAX_JSON_DEPTH"):
        read_ack(body, review_id="r1")


class _Trickle(BaseHTTPRequestHandler):
    """Answers with a valid body, one byte every 0.2 s (about 11 s in all)."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        try:
            for byte in ANSWER:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            return

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def trickle() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_trickled_answer_meets_the_overall_deadline(trickle: str) -> None:
    settings = Settings(evaluator_url=trickle, evaluator_token="t0ken", evaluator_deadline_seconds=1.5)

    async def collect() -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
            client = EvaluatorClient.from_settings(http, settings, attempts=1)
            await client.collect("r1", sample=["ML-A01"])

    with pytest.raises(ExternalServiceError, match="KAOHE_EVALUATOR_DEADLINE_SECONDS"):
        asyncio.run(collect())
