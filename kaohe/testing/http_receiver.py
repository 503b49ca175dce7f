"""A local HTTP/1.1 server imitating the WeCom, DingTalk and Feishu robots and a generic webhook.

One asyncio loop in a background thread, keep-alive, ``Content-Length`` bodies only (chunked bodies get 411);
the per-request work is a header split, a record and a canned answer, so it sustains tens of thousands of
requests per second, far more than an httpx client in the same process can send.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote

from kaohe.notifications.dingtalk import dingtalk_sign
from kaohe.notifications.feishu import feishu_sign
from kaohe.testing.loop_server import LoopServer, wait_until

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"
FEISHU_PREFIX = "/open-apis/bot/v2/hook/"


@dataclass(frozen=True)
class ReceivedRequest:
    """One HTTP request as received (header names lower-case); ``path``, ``query`` and ``json`` are parsed on first use."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    received_at: float

    @cached_property
    def path(self) -> str:
        """The URL path, percent-decoded."""
        return unquote(self.target.partition("?")[0])

    @cached_property
    def query(self) -> dict[str, str]:
        """The query parameters, decoded (last value wins)."""
        return dict(parse_qsl(self.target.partition("?")[2], keep_blank_values=True))

    @cached_property
    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None

    @property
    def flavor(self) -> str:
        """Which service the path imitates: wecom, dingtalk, feishu or webhook."""
        return _flavor(self.target)


def _flavor(target: str) -> str:
    path = target.partition("?")[0]
    if path == WECOM_PATH:
        return "wecom"
    if path == DINGTALK_PATH:
        return "dingtalk"
    if path.startswith(FEISHU_PREFIX):
        return "feishu"
    return "webhook"


@dataclass
class _Reply:
    status: int = 200
    body: Any = None
    code: int | None = None
    text: str = "simulated failure"
    delay: float = 0.0
    path_prefix: str | None = None


def _error_body(flavor: str, code: int, text: str) -> dict[str, Any]:
    if flavor == "feishu":
        return {"code": code, "msg": text, "data": {}}
    if flavor == "webhook":
        return {"error": code, "message": text}
    return {"errcode": code, "errmsg": text}


_OK_BODIES = {
    "wecom": b'{"errcode":0,"errmsg":"ok"}',
    "dingtalk": b'{"errcode":0,"errmsg":"ok"}',
    "feishu": b'{"code":0,"msg":"success","data":{}}',
}


def _response(status: int, body: bytes, *, close: bool = False, extra: str = "") -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Status"
    connection = "Connection: close\r\n" if close else ""
    head = (
        f"HTTP/1.1 {status} {phrase}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n{extra}{connection}\r\n"
    )
    return head.encode("latin-1") + body


_OK_RESPONSES = {flavor: _response(200, body) for flavor, body in _OK_BODIES.items()}
_MAX_HEAD = 65536


@dataclass
class _Stats:
    total: int = 0
    by_flavor: dict[str, int] = field(default_factory=lambda: {"wecom": 0, "dingtalk": 0, "feishu": 0, "webhook": 0})


class _HttpProtocol(asyncio.Protocol):
    def __init__(self, receiver: LocalWebhookReceiver) -> None:
        self._receiver = receiver
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._busy = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._receiver._connections.add(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._receiver._connections.discard(self._transport)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if not self._busy:
            self._process()

    def _process(self) -> None:
        while self._transport is not None and not self._busy:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > _MAX_HEAD:
                    self._finish(_response(431, b"{}", close=True), close=True)
                return
            lines = self._buffer[:end].decode("latin-1").split("\r\n")
            method, target, version = (lines[0].split(" ") + ["", "", ""])[:3]
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self._finish(_response(411, b'{"error":"Content-Length required"}', close=True), close=True)
                return
            length_text = headers.get("content-length") or "0"
            if not length_text.isdigit():
                self._finish(_response(400, b'{"error":"bad Content-Length"}', close=True), close=True)
                return
            length = int(length_text)
            if len(self._buffer) < end + 4 + length:
                return
            body = bytes(self._buffer[end + 4 : end + 4 + length])
            del self._buffer[: end + 4 + length]
            close = headers.get("connection", "").lower() == "close" or version == "HTTP/1.0"
            request = ReceivedRequest(method, target, headers, body, time.time())
            response, delay = self._receiver._answer(request)
            if delay > 0:
                self._busy = True
                asyncio.get_running_loop().call_later(delay, self._delayed, response, close)
                return
            self._finish(response, close=close)
            if close:
                return

    def _delayed(self, response: bytes, close: bool) -> None:
        self._busy = False
        self._finish(response, close=close)
        self._process()

    def _finish(self, response: bytes, *, close: bool) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        self._transport.write(response)
        if close:
            self._transport.close()


class LocalWebhookReceiver(LoopServer):
    """An HTTP server on 127.0.0.1 imitating the robots and a generic webhook; ``with LocalWebhookReceiver() as hooks:``.

    Paths: ``/cgi-bin/webhook/send`` (WeCom), ``/robot/send`` (DingTalk), ``/open-apis/bot/v2/hook/<token>``
    (Feishu), anything else a generic webhook answering ``{"id": …}`` (a repeated ``Idempotency-Key`` gets
    the same id back). With ``dingtalk_secret``/``feishu_secret`` it checks signatures like the real
    service (DingTalk errcode 310000, Feishu code 19021); ``robot_secrets`` (robot token → secret) gives
    a robot its own secret, as every real robot has. ``keep`` bounds how many requests are kept
    (None: all); counters always cover every request.
    """

    thread_name = "kaohe-webhook-receiver"
    backlog = 2048

    def __init__(
        self,
        *,
        dingtalk_secret: str | None = None,
        feishu_secret: str | None = None,
        robot_secrets: dict[str, str] | None = None,
        keep: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.dingtalk_secret = dingtalk_secret
        self.feishu_secret = feishu_secret
        self.robot_secrets = dict(robot_secrets or {})
        self._requests: deque[ReceivedRequest] = deque(maxlen=keep)
        self._stats = _Stats()
        self._replies: deque[_Reply] = deque()
        self._default_delay = 0.0
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()

    def protocol(self) -> asyncio.Protocol:
        """One connection's HTTP handler."""
        return _HttpProtocol(self)

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:50123``."""
        return f"http://{self.host}:{self.port}"

    def settings_overrides(self) -> dict[str, str]:
        """Settings fields that point every robot channel at this receiver."""
        return {"wecom_base_url": self.url, "dingtalk_base_url": self.url, "feishu_base_url": self.url}

    # programming

    def respond_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: Any = None,
        code: int | None = None,
        text: str = "simulated failure",
        delay: float = 0.0,
        path_prefix: str | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests this way instead of the normal answer.

        ``body`` (JSON-able) replaces the answer; else ``code`` gives the service's error body
        (errcode/errmsg, code/msg, error/message) with ``status``; else the normal success body is
        sent with ``status``. ``path_prefix`` limits which requests are affected.
        """
        with self._lock:
            self._replies.extend(_Reply(status, body, code, text, delay, path_prefix) for _ in range(count))

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int | None = None,
        code: int | None = None,
        text: str = "simulated failure",
        path_prefix: str | None = None,
    ) -> None:
        """Fail the next ``count`` requests: with ``code``, that error code inside an HTTP 200 (or ``status``); else HTTP ``status`` (default 500)."""
        status = status if status is not None else (200 if code is not None else 500)
        self.respond_next(count, status=status, code=code, text=text, path_prefix=path_prefix)

    def delay_next(self, count: int, seconds: float) -> None:
        """Answer the next ``count`` requests normally but only after ``seconds``."""
        self.respond_next(count, delay=seconds)

    def set_delay(self, seconds: float) -> None:
        """Delay every normal answer by ``seconds`` (0 to stop)."""
        self._default_delay = seconds

    # reading

    @property
    def requests(self) -> list[ReceivedRequest]:
        """A snapshot of the kept requests, oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def count(self) -> int:
        """How many requests arrived in all."""
        return self._stats.total

    def counts(self) -> dict[str, int]:
        """How many requests arrived per flavor (wecom, dingtalk, feishu, webhook)."""
        with self._lock:
            return dict(self._stats.by_flavor)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Block until ``count`` requests arrived in all (raise TimeoutError otherwise); return the kept ones."""
        if not wait_until(lambda: self._stats.total >= count, timeout):
            raise TimeoutError(f"只收到 {self._stats.total} 个请求，预期 {count} 个")
        return self.requests

    def clear(self) -> None:
        """Forget recorded requests, counters and pending programmed answers."""
        with self._lock:
            self._requests.clear()
            self._stats = _Stats()
            self._replies.clear()

    # answering (runs on the receiver's loop)

    def _take_reply(self, target: str) -> _Reply | None:
        if not self._replies:
            return None
        for index, reply in enumerate(self._replies):
            if reply.path_prefix is None or target.startswith(reply.path_prefix):
                del self._replies[index]
                return reply
        return None

    def _answer(self, request: ReceivedRequest) -> tuple[bytes, float]:
        flavor = _flavor(request.target)
        with self._lock:
            self._requests.append(request)
            self._stats.total += 1
            self._stats.by_flavor[flavor] += 1
            reply = self._take_reply(request.target)
        if reply is not None and (reply.body is not None or reply.code is not None or reply.status != 200):
            if reply.body is not None:
                payload = json.dumps(reply.body, ensure_ascii=False).encode()
            elif reply.code is not None:
                payload = json.dumps(_error_body(flavor, reply.code, reply.text), ensure_ascii=False).encode()
            else:
                payload = _OK_BODIES.get(flavor, b"{}") if reply.status < 300 else b'{"error":"simulated"}'
            return _response(reply.status, payload), reply.delay
        delay = reply.delay if reply is not None else self._default_delay
        return self._normal_answer(flavor, request), delay

    def _normal_answer(self, flavor: str, request: ReceivedRequest) -> bytes:
        if flavor == "webhook":
            key = request.headers.get("idempotency-key")
            with self._lock:
                replayed = key is not None and key in self._ids
                if key is None:
                    remote_id = f"r{self._stats.total}"
                elif replayed:
                    remote_id = self._ids[key]
                else:
                    remote_id = self._ids[key] = f"r{self._stats.total}"
            extra = "Idempotent-Replayed: true\r\n" if replayed else ""
            return _response(200, json.dumps({"id": remote_id}).encode(), extra=extra)
        if flavor == "wecom" and not request.query.get("key"):
            return _response(200, b'{"errcode":93000,"errmsg":"invalid webhook url"}')
        if flavor == "dingtalk":
            query = request.query
            if not query.get("access_token"):
                return _response(200, b'{"errcode":300001,"errmsg":"token is not exist"}')
            secret = self.robot_secrets.get(query["access_token"], self.dingtalk_secret)
            if secret is not None and not _dingtalk_signed(query, secret):
                return _response(200, b'{"errcode":310000,"errmsg":"sign not match"}')
        feishu_secret = self.robot_secrets.get(request.path.removeprefix(FEISHU_PREFIX), self.feishu_secret)
        if flavor == "feishu" and feishu_secret is not None and not _feishu_signed(request, feishu_secret):
            return _response(
                200, b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time","data":{}}'
            )
        return _OK_RESPONSES[flavor]


def _dingtalk_signed(query: dict[str, str], secret: str) -> bool:
    timestamp, sign = query.get("timestamp", ""), query.get("sign", "")
    if not timestamp.isdigit():
        return False
    return hmac.compare_digest(dingtalk_sign(int(timestamp), secret), sign)


def _feishu_signed(request: ReceivedRequest, secret: str) -> bool:
    try:
        payload = request.json
    except ValueError:
        return False
    if not isinstance(payload, dict):
        return False
    timestamp, sign = str(payload.get("timestamp", "")), str(payload.get("sign", ""))
    if not timestamp.isdigit():
        return False
    return hmac.compare_digest(feishu_sign(int(timestamp), secret), sign)
