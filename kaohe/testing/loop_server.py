"""An asyncio server run in a background thread with its own event loop, and a store of received e-mail:
what the local receivers (webhook, lean SMTP sink, aiosmtpd receiver) have in common."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from kaohe.testing.smtp_receiver import ReceivedMail


def wait_until(predicate: Callable[[], bool], timeout: float) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)
    return True


class LoopServer:
    """A server on ``host``:``port`` (a free port when 0) serving ``protocol()`` connections from a daemon thread;
    ``with server:`` starts and stops it. Subclasses set ``thread_name`` and ``backlog`` and define ``protocol``."""

    thread_name = "kaohe-loop-server"
    backlog = 1024

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._connections: set[asyncio.Transport] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    def protocol(self) -> asyncio.Protocol:
        """A protocol instance for one new connection."""
        raise NotImplementedError

    def start(self) -> None:
        """Start serving in a background thread; the error of a failed bind is raised here."""
        ready = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(loop.create_server(self.protocol, self.host, self.port, backlog=self.backlog))
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
        self._thread = threading.Thread(target=run, name=f"{self.thread_name}-{id(self):x}", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            self._loop = self._thread = None
            raise failure[0]

    def stop(self) -> None:
        """Close every connection, stop the server and its thread; what was received stays readable."""
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


class KeptMail:
    """The e-mail an SMTP server received, and the faults it was told to answer with (``fail_next``)."""

    host: str
    port: int

    def __init__(self) -> None:
        self._mails: list[ReceivedMail] = []
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._mails.append(mail)

    def _take_fault(self) -> str | None:
        if not self._faults:
            return None
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def fail_next(self, count: int = 1, *, code: int = 451, text: str = "4.3.0 simulated failure") -> None:
        """Answer the next ``count`` messages with SMTP ``code`` instead of accepting them."""
        with self._lock:
            self._faults.extend([f"{code} {text}"] * count)

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

    def settings_overrides(self) -> dict[str, object]:
        """Settings fields that point the e-mail channel at this server (``host``/``port`` of the subclass)."""
        return {"smtp_host": self.host, "smtp_port": self.port, "smtp_starttls": False, "smtp_ssl": False,
                "smtp_username": None}
