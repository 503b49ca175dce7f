"""A small, real third-party evaluator over HTTP for demos and tests, with deterministic results and fault injection.

Run it by hand with ``python -m kaohe.testing.evaluator_server --port 8787``.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import os
import secrets
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from kaohe.evaluator.contract import Ack, ReviewAnswer, ReviewRequest
from kaohe.testing.synthetic_reviews import synthetic_result


class _Drop:
    """Marker for ``Faults.tamper``: remove the field from the result."""

    def __repr__(self) -> str:
        return "DROP"


DROP: Any = _Drop()


@dataclass(frozen=True)
class Faults:
    """Misbehaviour to inject. ``delayed_requests`` and ``failures`` are used up by the next requests, any endpoint.

    - ``delay``: seconds to hold the answer of each delayed request, after the request was processed
      (as if the answer were lost on the way: the client times out, the evaluator already did the work);
    - ``failures``: the next N requests answer ``failure_status`` (503 by default) and do nothing;
    - ``malformed_json``: ``GET`` answers with truncated JSON;
    - ``tamper``: unit code -> {field: value}; ``DROP`` as value removes the field (out-of-range values,
      missing fields, wrong types);
    - ``extra_units``: codes whose results are appended to every ``GET`` answer (a code outside the
      sample, or a code in it to duplicate its result).
    """

    delay: float = 0.0
    delayed_requests: int = 0
    failures: int = 0
    failure_status: int = 503
    retry_after: int | None = None
    malformed_json: bool = False
    tamper: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    extra_units: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoggedRequest:
    """One request the reference evaluator answered."""

    method: str
    path: str
    status: int


@dataclass
class _Review:
    request: ReviewRequest
    polls: int = 0


class ReferenceEvaluator:
    """State and answers of the reference evaluator, as a Starlette app (no server of its own)."""

    def __init__(self, *, token: str, partial_polls: int = 0, faults: Faults | None = None) -> None:
        self.token = token
        self.partial_polls = partial_polls
        self.requests: list[LoggedRequest] = []
        self.submissions = 0
        self._reviews: dict[str, _Review] = {}
        self._lock = threading.Lock()
        self.set_faults(faults or Faults())

    def set_faults(self, faults: Faults) -> None:
        """Inject ``faults`` from now on, with fresh counters."""
        with self._lock:
            self.faults = faults
            self._delays_left = faults.delayed_requests
            self._failures_left = faults.failures

    @property
    def review_count(self) -> int:
        """How many distinct reviews were accepted."""
        with self._lock:
            return len(self._reviews)

    def polls(self, review_id: str) -> int:
        """How many times the results of ``review_id`` were asked for."""
        with self._lock:
            return self._reviews[review_id].polls

    def app(self) -> Starlette:
        """The HTTP app: ``POST /v1/reviews`` and ``GET /v1/reviews/{review_id}``."""
        return Starlette(
            routes=[
                Route("/v1/reviews", self._submit, methods=["POST"]),
                Route("/v1/reviews/{review_id}", self._collect, methods=["GET"]),
            ]
        )

    async def _submit(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return self._log(request, refusal)
        try:
            review = ReviewRequest.model_validate(await request.json())
        except ValueError as error:
            reason = _validation_text(error) if isinstance(error, ValidationError) else "请求体不是合法的 JSON"
            return self._log(request, _error(422, f"评审请求不合规：{reason}"))
        if request.headers.get("Idempotency-Key") != review.review_id:
            return self._log(request, _error(400, "请求头 Idempotency-Key 应与 review_id 相同"))
        with self._lock:
            known = self._reviews.get(review.review_id)
            conflict = known is not None and known.request != review
            if known is None:
                self._reviews[review.review_id] = _Review(review)
            self.submissions += 0 if conflict else 1
        if conflict:
            return self._log(request, _error(409, f"评审编号 {review.review_id} 已用于另一份抽样"))
        ack = Ack(review_id=review.review_id, status="accepted")
        return await self._answer(request, JSONResponse(ack.model_dump(mode="json"), status_code=202))

    async def _collect(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return self._log(request, refusal)
        review_id = request.path_params["review_id"]
        with self._lock:
            review = self._reviews.get(review_id)
            if review is not None:
                review.polls += 1
                body = self._results(review)
            faults = self.faults
        if review is None:
            return self._log(request, _error(404, f"没有编号为 {review_id} 的评审"))
        text = json.dumps(body, ensure_ascii=False)
        if faults.malformed_json:
            text = text[: max(1, len(text) - 7)]
        return await self._answer(request, Response(text, media_type="application/json"))

    def _results(self, review: _Review) -> dict[str, Any]:
        codes = review.request.unit_codes
        if review.polls <= self.partial_polls:
            shown = len(codes) * review.polls // (self.partial_polls + 1)
            status = "partial" if shown else "pending"
        else:
            shown, status = len(codes), "complete"
        answer = ReviewAnswer(
            review_id=review.request.review_id,
            status=status,
            results=[synthetic_result(code) for code in codes[:shown]],
        )
        results = [dict(item) for item in answer.model_dump(mode="json")["results"]]
        results += [synthetic_result(code).model_dump(mode="json") for code in self.faults.extra_units]
        for item in results:
            for name, value in self.faults.tamper.get(item["unit"], {}).items():
                if value is DROP:
                    item.pop(name, None)
                else:
                    item[name] = value
        return {"review_id": answer.review_id, "status": answer.status, "results": results}

    def _refusal(self, request: Request) -> Response | None:
        expected = f"Bearer {self.token}".encode()
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return _error(401, "缺少或无效的访问令牌", headers={"WWW-Authenticate": "Bearer"})
        with self._lock:
            if self._failures_left <= 0:
                return None
            self._failures_left -= 1
            faults = self.faults
        headers = {"Retry-After": str(faults.retry_after)} if faults.retry_after is not None else None
        return _error(faults.failure_status, "评估服务暂时不可用", headers=headers)

    async def _answer(self, request: Request, response: Response) -> Response:
        self._log(request, response)
        with self._lock:
            delay = self.faults.delay if self._delays_left > 0 else 0.0
            self._delays_left -= 1 if delay else 0
        if delay:
            await asyncio.sleep(delay)
        return response

    def _log(self, request: Request, response: Response) -> Response:
        with self._lock:
            self.requests.append(LoggedRequest(request.method, request.url.path, response.status_code))
        return response


class ReferenceServer(ReferenceEvaluator):
    """The reference evaluator served on 127.0.0.1 from a background thread; a context manager that stops itself."""

    def __init__(
        self,
        *,
        token: str = "reference-token",
        host: str = "127.0.0.1",
        port: int = 0,
        partial_polls: int = 0,
        faults: Faults | None = None,
        lifetime: float | None = None,
    ) -> None:
        super().__init__(token=token, partial_polls=partial_polls, faults=faults)
        self.host = host
        self.port = port
        self.lifetime = lifetime
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Bind the port (0: any free one), serve in a daemon thread, return once it answers."""
        self._socket = socket.create_server((self.host, self.port))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(
            self.app(),
            lifespan="off",
            ws="none",
            http="h11",
            log_config=None,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"reference-evaluator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"参考评估服务未能在 {self.url} 启动")
            time.sleep(0.01)
        if self.lifetime is not None:
            self._timer = threading.Timer(self.lifetime, self._ask_to_exit)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        if self._timer is not None:
            self._timer.cancel()
        self._ask_to_exit()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server stopped (its lifetime ran out) or ``timeout`` passed."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _ask_to_exit(self) -> None:
        if self._server is not None:
            self._server.should_exit = True

    def __enter__(self) -> ReferenceServer:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _error(status: int, detail: str, *, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=dict(headers or {}))


def _validation_text(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "请求体"
    return f"字段 {where}：{first['msg']}"


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the reference evaluator in the foreground until Ctrl-C or ``--lifetime`` seconds."""
    parser = argparse.ArgumentParser(prog="python -m kaohe.testing.evaluator_server", description="第三方评估参考服务（演示与测试用）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址，默认 127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="端口，0 表示任选空闲端口，默认 8787")
    parser.add_argument(
        "--token", default=os.environ.get("KAOHE_EVALUATOR_TOKEN"), help="访问令牌，默认取 KAOHE_EVALUATOR_TOKEN，否则随机生成"
    )
    parser.add_argument("--partial-polls", type=int, default=0, help="前几次查询只给部分结果，默认 0")
    parser.add_argument("--lifetime", type=float, default=None, help="运行多少秒后自动停止，默认一直运行")
    args = parser.parse_args(argv)
    token = args.token or secrets.token_urlsafe(16)
    server = ReferenceServer(
        token=token, host=args.host, port=args.port, partial_polls=args.partial_polls, lifetime=args.lifetime
    )
    try:
        server.start()
    except OSError as error:
        raise SystemExit(f"参考评估服务无法监听 {args.host}:{args.port}：{error.strerror or error}") from None
    print(f"第三方评估参考服务已启动：{server.url}")
    print(f"  export KAOHE_EVALUATOR_URL={server.url}")
    print(f"  export KAOHE_EVALUATOR_TOKEN={token}")
    print("按 Ctrl-C 停止。" if args.lifetime is None else f"{args.lifetime:g} 秒后自动停止，也可按 Ctrl-C 停止。")
    try:
        server.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("参考评估服务已停止。")


if __name__ == "__main__":
    main()
