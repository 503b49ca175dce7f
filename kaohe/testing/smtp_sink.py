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

from kaohe.testing.loop_server import KeptMail, LoopServer
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
        replies.append(f"{fault}\r\n".encode() if fault else b"250 OK\r\n")
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


class LeanSmtpSink(KeptMail, LoopServer):
    """A cheap SMTP server on 127.0.0.1 (free port) that keeps every e-mail; ``with LeanSmtpSink() as smtp:``."""

    thread_name = "kaohe-smtp-sink"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        KeptMail.__init__(self)
        LoopServer.__init__(self, host=host, port=port)

    def protocol(self) -> asyncio.Protocol:
        """One connection's SMTP session."""
        return _SmtpSession(self)
