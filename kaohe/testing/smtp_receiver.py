"""A local SMTP server (aiosmtpd) that keeps every e-mail it receives, for tests, simulation and benchmarks."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass
from email.message import EmailMessage
from functools import cached_property
from typing import Any, Self

from aiosmtpd.controller import Controller

from kaohe.testing.loop_server import KeptMail


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class ReceivedMail:
    """One e-mail as the server received it; ``message`` is the parsed MIME message."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes

    @cached_property
    def message(self) -> EmailMessage:
        """The parsed message (headers decoded, e.g. ``message["Subject"]`` is Chinese text)."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


class _SmtpHandler:
    def __init__(self, receiver: LocalSmtpReceiver) -> None:
        self._receiver = receiver

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        reply = self._receiver._take_fault()
        if reply:
            return reply
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        self._receiver._record(ReceivedMail(str(envelope.mail_from), tuple(envelope.rcpt_tos), content))
        return "250 OK"


class LocalSmtpReceiver(KeptMail):
    """An SMTP server on 127.0.0.1 (free port) that keeps every e-mail; ``with LocalSmtpReceiver() as smtp:``."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__()
        self.host = host
        self.port = port
        self._controller: Controller | None = None

    def start(self) -> None:
        """Start listening (a free port is chosen when ``port`` is 0)."""
        for attempt in range(5):
            port = self.port or _free_port()
            controller = Controller(_SmtpHandler(self), hostname=self.host, port=port, ready_timeout=10)
            try:
                controller.start()
            except OSError:
                if self.port or attempt == 4:
                    raise
                continue
            self._controller, self.port = controller, port
            return

    def stop(self) -> None:
        """Stop the server; received mail stays readable."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
