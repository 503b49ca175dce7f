"""A lean SMTP server for benchmarks: one asyncio Protocol in a background thread that speaks just enough SMTP.

It answers EHLO/HELO (advertising PIPELINING, 8BITMIME, SMTPUTF8), MAIL, RCPT, DATA (dot-unstuffed),
RSET, NOOP and QUIT, handles pipelined commands, and keeps each message's envelope and raw bytes
(``ReceivedMail``, parsed on first use). Per message it does a few line splits and one ``find`` for the
end of the data, so it costs far less CPU than aiosmtpd and a benchmark measures the sender, not the
server. ``LocalSmtpReceiver`` (aiosmtpd) stays the server the tests use.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections import deque
from types import TracebackType
from typing import Self

from kaohe.testing.http_receiver import wait_until
from kaohe.testing.smtp_receiver import ReceivedMail

_EHLO = b"250-kaohe-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 HELP\r\n"
_PATH = re.compile(rb"^[^:]*:\s*<([^>]*)>", re.IGNORECASE)


def unstuff(data: bytes) -> bytes:
    """Message data as sent after DATA (without the final ``.CRLF``), dot-stuffing removed (RFC 5321 4.5.2)."""
    data = data.replace(b"\r\n..", b"\r\n.")
    return data[1:] if data.startswith(b"..") else data


class _SmtpSession(asyncio.Protocol):
    def __init__(self, sink: LeanSmtpSink) -> None:
        self._sink = sink
        self._buffer = bytearray()
        self._scanned = 0
        self._in_data = False
        self._mail_from: str | None = None
        self._rcpt_tos: list[str] = []
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._sink._connections.add(transport)
        transport.write(b"220 kaohe-sink ESMTP\r\n")

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._sink._connections.discard(self._transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        replies: list[bytes] = []
        while self._transport is not None:
            if self._in_data:
                if not self._take_data(replies):
                    break
                continue
            end = self._buffer.find(b"\r\n")
            if end < 0:
                break
            line = bytes(self._buffer[:end])
            del self._buffer[:end + 2]
            if not self._command(line, replies):
                break
        if replies and self._transport is not None:
            self._transport.write(b"".join(replies))

    def _take_data(self, replies: list[bytes]) -> bool:
        if self._buffer.startswith(b".\r\n"):
            content, consumed = b"", 3
        else:
            end = self._buffer.find(b"\r\n.\r\n", max(0, self._scanned - 4))
            if end < 0:
                self._scanned = len(self._buffer)
                return False
            content, consumed = unstuff(bytes(self._buffer[:end + 2])), end + 5
        del self._buffer[:consumed]
        self._scanned = 0
        self._in_data = False
        fault = self._sink._take_fault()
        if fault is None:
            self._sink._record(ReceivedMail(self._mail_from or "", tuple(self._rcpt_tos), content))
        replies.append(fault or b"250 OK\r\n")
        self._mail_from, self._rcpt_tos = None, []
        return True

    def _command(self, line: bytes, replies: list[bytes]) -> bool:
        verb = line[:4].upper()
        if verb == b"MAIL":
            path = _PATH.match(line)
            if self._mail_from is not None:
                replies.append(b"503 5.5.1 Error: nested MAIL command\r\n")
            elif path is None:
                replies.append(b"501 5.5.4 Syntax: MAIL FROM:<address>\r\n")
            else:
                self._mail_from = path.group(1).decode("utf-8", "replace")
                replies.append(b"250 OK\r\n")
        elif verb == b"RCPT":
            path = _PATH.match(line)
            if self._mail_from is None:
                replies.append(b"503 5.5.1 Error: need MAIL command\r\n")
            elif path is None:
                replies.append(b"501 5.5.4 Syntax: RCPT TO:<address>\r\n")
            else:
                self._rcpt_tos.append(path.group(1).decode("utf-8", "replace"))
                replies.append(b"250 OK\r\n")
        elif verb == b"DATA":
            if not self._rcpt_tos:
                replies.append(b"503 5.5.1 Error: need RCPT command\r\n")
            else:
                replies.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                self._in_data = True
        elif verb == b"EHLO":
            replies.append(_EHLO)
        elif verb in (b"HELO", b"NOOP"):
            replies.append(b"250 OK\r\n")
        elif verb == b"RSET":
            self._mail_from, self._rcpt_tos = None, []
            replies.append(b"250 OK\r\n")
        elif verb == b"QUIT":
            replies.append(b"221 Bye\r\n")
            assert self._transport is not None
            self._transport.write(b"".join(replies))
            replies.clear()
            self._transport.close()
            self._transport = None
            return False
        else:
            replies.append(b"500 5.5.2 Error: command not recognized\r\n")
        return True


class LeanSmtpSink:
    """A cheap SMTP server on 127.0.0.1 (free port) that keeps every e-mail; ``with LeanSmtpSink() as smtp:``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._mails: list[ReceivedMail] = []
        self._faults: deque[bytes] = deque()
        self._lock = threading.Lock()
        self._connections: set[asyncio.Transport] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._mails.append(mail)

    def _take_fault(self) -> bytes | None:
        if not self._faults:
            return None
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def start(self) -> None:
        """Start serving in a background thread (a free port is chosen when ``port`` is 0)."""
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(loop.create_server(lambda: _SmtpSession(self), self.host, self.port, backlog=1024))
                self.port = int(self._server.sockets[0].getsockname()[1])
            except BaseException as error:  # noqa: BLE001 - handed to start()
                failure.append(error)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name=f"kaohe-smtp-sink-{id(self):x}", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._loop = self._thread = None
            raise failure[0]

    def stop(self) -> None:
        """Close every connection, stop the server and its thread; received mail stays readable."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            for transport in list(self._connections):
                transport.abort()
            loop.stop()

        loop.call_soon_threadsafe(shutdown)
        thread.join(timeout=10)
        self._loop = self._thread = self._server = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def settings_overrides(self) -> dict[str, object]:
        """Settings fields that point the e-mail channel at this server."""
        return {"smtp_host": self.host, "smtp_port": self.port, "smtp_starttls": False, "smtp_ssl": False, "smtp_username": None}

    def fail_next(self, count: int = 1, *, code: int = 451, text: str = "4.3.0 simulated failure") -> None:
        """Answer the data of the next ``count`` messages with SMTP ``code`` instead of accepting them."""
        with self._lock:
            self._faults.extend([f"{code} {text}\r\n".encode()] * count)

    @property
    def mails(self) -> list[ReceivedMail]:
        """A snapshot of every e-mail received so far."""
        with self._lock:
            return list(self._mails)

    @property
    def count(self) -> int:
        """How many e-mails arrived since the last clear."""
        return len(self._mails)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        """Block until at least ``count`` e-mails arrived (raise TimeoutError otherwise); return them."""
        if not wait_until(lambda: len(self._mails) >= count, timeout):
            raise TimeoutError(f"只收到 {len(self._mails)} 封邮件，预期 {count} 封")
        return self.mails

    def clear(self) -> None:
        """Forget the mail received so far."""
        with self._lock:
            self._mails.clear()
