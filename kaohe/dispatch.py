"""Sending what the outbox holds: claim a batch, merge robot digests, send in small chunks, record.

The dispatcher never sleeps through a retry: a retryable failure puts the message back to
``pending`` with a later ``send_after``, so a simulated clock and a restarted process see the same
state. Group robots are rate limited per robot and receive digests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import socket
import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kaohe.errors import DeliveryError
from kaohe.models import utcnow
from kaohe.notifications.channel import Channel
from kaohe.notifications.digest import merge_into_digests
from kaohe.notifications.links import LinkSigner
from kaohe.notifications.message import Message, Receipt
from kaohe.notifications.ratelimit import RateLimiter
from kaohe.store.outbox import Outcome
from kaohe.store.outbox_ledger import OutboxLedger, SessionFactory

MIN_CHUNK = 32
"""Messages are marked ``sending`` (and outcomes recorded) in chunks of max(concurrency, MIN_CHUNK): one transaction
per chunk; at few workers smaller chunks would cost a transaction per handful of messages."""

T = TypeVar("T")
Bundle = list[tuple[Message, Sequence[str]]]
"""Messages (each with the outbox keys it carries) sent in one call: one, or several for a channel with ``send_many``."""
__all__ = ["Dispatcher", "DispatchReport", "SessionFactory", "backoff"]


@dataclass
class DispatchReport:
    """What one dispatch run did."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    digests: int = 0
    batches: int = 0
    seconds: float = 0.0
    recovered: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"sent": self.sent, "failed": self.failed, "retrying": self.retrying, "digests": self.digests,
                "batches": self.batches, "seconds": round(self.seconds, 3), "recovered": self.recovered}


def backoff(attempt: int, base: dt.timedelta) -> dt.timedelta:
    """Delay before retry number ``attempt`` (1, 2, …): base, 2·base, 4·base …, at most 32·base."""
    return base * int(2 ** min(attempt - 1, 5))


class Dispatcher:
    """Sends due outbox messages over the given channels."""

    def __init__(
        self,
        sessions: SessionFactory,
        channels: Mapping[str, Channel],
        *,
        limiter: RateLimiter | None = None,
        batch_size: int = 500,
        concurrency: int = 32,
        max_attempts: int = 5,
        retry_base: dt.timedelta = dt.timedelta(minutes=5),
        worker: str | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        digests: bool = True,
        links: LinkSigner | None = None,
    ) -> None:
        self.sessions = sessions
        self.channels = dict(channels)
        self.limiter = limiter or RateLimiter.for_channels(self.channels.values())
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.clock = clock
        self.digests = digests
        self.links = links
        self._ledger: OutboxLedger | None = None
        self._database: ThreadPoolExecutor | None = None

    @property
    def idempotent_channels(self) -> frozenset[str]:
        """The channels whose receivers de-duplicate by the message's key."""
        return frozenset(n for n, c in self.channels.items() if c.takes_idempotency_key)

    def recover(self, now: dt.datetime) -> dict[str, int]:
        """Resolve claims a dead dispatcher left behind, ``now`` being wall-clock time (see kaohe.store.outbox.recover)."""
        ledger = OutboxLedger.open(self.sessions)
        try:
            return self._recover(ledger, now)
        finally:
            ledger.close()

    def _recover(self, ledger: OutboxLedger, now: dt.datetime) -> dict[str, int]:
        return ledger.recover(now, self.idempotent_channels)

    async def run(self, now: dt.datetime, *, cycle_id: int | None = None, max_batches: int | None = None) -> DispatchReport:
        """Send every message due at ``now`` (batch after batch until none is left).

        ``now`` is the scheduled instant; claims and their lease run on ``clock`` (wall-clock time). The database
        work runs in one thread of its own, on one connection for the run (``OutboxLedger``), one step at a time.
        """
        started = time.perf_counter()
        self._database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kaohe-outbox")
        try:
            self._ledger = await self._in_thread(OutboxLedger.open, self.sessions)
            try:
                return await self._run(now, cycle_id, max_batches, started)
            finally:
                await self._in_thread(self._ledger.close)
                self._ledger = None
        finally:
            self._database.shutdown(wait=False)
            self._database = None

    async def _run(self, now: dt.datetime, cycle_id: int | None, max_batches: int | None, started: float) -> DispatchReport:
        assert self._ledger is not None
        report = DispatchReport(recovered=await self._in_thread(self._recover, self._ledger, self.clock()))
        claiming = asyncio.ensure_future(self._in_thread(self._claim, now, cycle_id))
        try:
            while True:
                batch = await claiming
                if not batch:
                    break
                report.batches += 1
                more = max_batches is None or report.batches < max_batches
                last_chunk = asyncio.Event()
                sending = asyncio.ensure_future(self._send_batch(batch, now, report, last_chunk))
                if more:  # the next batch is claimed (in a thread) once this one's last chunk is under way: no gap
                    # between batches, and another dispatcher process still finds the rest of the wave to claim
                    reached = asyncio.ensure_future(last_chunk.wait())
                    await asyncio.wait([sending, reached], return_when=asyncio.FIRST_COMPLETED)
                    reached.cancel()
                    claiming = asyncio.ensure_future(self._in_thread(self._claim, now, cycle_id))
                await sending
                if not more:
                    break
        finally:
            if not claiming.done():
                claiming.cancel()
                await asyncio.gather(claiming, return_exceptions=True)
        report.seconds = time.perf_counter() - started
        return report

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """Run database work in the run's database thread, one piece at a time (the event loop goes on sending meanwhile)."""
        return await asyncio.get_running_loop().run_in_executor(self._database, work, *args)

    def _claim(self, now: dt.datetime, cycle_id: int | None) -> list[tuple[int, int, Message]]:
        """One batch claimed and turned into messages (run in the database thread, off the event loop)."""
        assert self._ledger is not None
        from kaohe.notifications.extras import message_from_row

        rows = self._ledger.claim(cycle_id=cycle_id, now=now, limit=self.batch_size, worker=self.worker, at=self.clock(),
                                  sending_channels=self.idempotent_channels)
        links = self.links
        return [(row.id, row.attempts, message_from_row(row.key, row.kind, row.channel, row.recipient, row.subject, row.body,
                                                        row.extras, signer=links)) for row in rows]

    async def _send_batch(self, batch: Sequence[tuple[int, int, Message]], now: dt.datetime, report: DispatchReport,
                          last_chunk: asyncio.Event | None = None) -> None:
        """Send the batch through ``concurrency`` workers, the database writes running in a thread beside them.

        Messages a channel sends together (SMS to many numbers) form one bundle, every other message its own; the
        bundles are cut into chunks of max(``concurrency``, MIN_CHUNK). A writer marks chunk k+1 ``sending``
        (in the same transaction recording every outcome gathered so far) as soon as a worker reaches
        chunk k, and a worker hands a message over only once its chunk is marked; so nothing is sent
        unmarked, at most two chunks are marked ahead of what is in flight, no worker waits for the
        slowest request of a chunk, and the event loop never waits for the database. Messages of channels that
        take an idempotency key were marked ``sending`` when claimed and go out without waiting for the writer.
        """
        ids = {message.key: (row_id, attempts) for row_id, attempts, message in batch}
        marked_at_claim = self.idempotent_channels

        def waits_for_mark(bundle: Bundle) -> bool:
            return bundle[0][0].channel not in marked_at_claim
        merged = merge_into_digests((message for _, _, message in batch), per_recipient=self.digests)
        report.digests += sum(1 for _, keys in merged if len(keys) > 1)
        units = self._bundle(merged)
        size = max(self.concurrency, MIN_CHUNK)
        chunks = [units[start:start + size] for start in range(0, len(units), size)]
        if not chunks:
            return
        reached = [asyncio.Event() for _ in chunks]
        marked = [asyncio.Event() for _ in chunks]
        outcomes: list[Outcome] = []
        queue = iter(range(len(units)))

        def row_ids(chunk: Sequence[Bundle]) -> list[int]:
            return [ids[key][0] for bundle in chunk if waits_for_mark(bundle) for _, keys in bundle for key in keys]

        async def writer() -> None:
            for index, chunk in enumerate(chunks):
                if index > 0:
                    await reached[index - 1].wait()
                recorded = outcomes[:]
                del outcomes[:len(recorded)]
                await self._in_thread(self._write, recorded, row_ids(chunk))
                marked[index].set()

        async def worker() -> None:
            for position in queue:
                index = position // size
                reached[index].set()
                if index == len(chunks) - 1 and last_chunk is not None:
                    last_chunk.set()
                bundle = units[position]
                if waits_for_mark(bundle):
                    await marked[index].wait()
                if len(bundle) == 1:
                    results = [await self._send_one(bundle[0][0])]
                else:
                    results = await self._send_many([message for message, _ in bundle])
                for (message, keys), (receipt, error) in zip(bundle, results, strict=True):
                    for key in keys:
                        row_id, attempts = ids[key]
                        outcomes.append(self._outcome(row_id, attempts, now, message.key, receipt, error, report))

        tasks = [asyncio.ensure_future(writer()), *(asyncio.ensure_future(worker()) for _ in range(min(self.concurrency, len(units))))]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        await self._in_thread(self._write, outcomes, [])

    def _write(self, outcomes: Sequence[Outcome], to_mark: Sequence[int]) -> None:
        """One transaction: record outcomes and mark the next chunk ``sending``."""
        assert self._ledger is not None
        self._ledger.write(outcomes, to_mark)

    def _bundle(self, units: Sequence[tuple[Message, Sequence[str]]]) -> list[Bundle]:
        """Messages a channel can send together (``send_many``: SMS to many numbers in one call) in bundles of at most its
        ``batch_limit``, each where its first message was; every other message alone."""
        bundles: list[Bundle] = []
        open_bundles: dict[tuple[str, Hashable], Bundle] = {}
        for unit in units:
            message = unit[0]
            channel = self.channels.get(message.channel)
            limit = getattr(channel, "batch_limit", 1)
            key = channel.batch_key(message) if limit > 1 and message.problem is None else None  # type: ignore[union-attr]
            if key is None:
                bundles.append([unit])
                continue
            bundle = open_bundles.get((message.channel, key))
            if bundle is None or len(bundle) >= limit:
                bundle = open_bundles[(message.channel, key)] = []
                bundles.append(bundle)
            bundle.append(unit)
        return bundles

    async def _send_many(self, messages: Sequence[Message]) -> list[tuple[Receipt | None, DeliveryError | None]]:
        """One call for messages of one channel and batch key; the outcome of each."""
        channel = self.channels[messages[0].channel]
        try:
            for message in messages:
                await self.limiter.acquire(message.channel, message.recipient)
            results = await channel.send_many(messages)  # type: ignore[attr-defined,unused-ignore]  # batch channels only (plain mypy sees Any)
        except DeliveryError as error:
            return [(None, error)] * len(messages)
        except Exception as error:  # noqa: BLE001 - as in _send_one
            failure = DeliveryError(f"渠道 {messages[0].channel} 无法处理这批消息：{type(error).__name__} {error}", retryable=False)
            return [(None, failure)] * len(messages)
        return [(None, r) if isinstance(r, DeliveryError) else (r, None) for r in results]

    async def _send_one(self, message: Message) -> tuple[Receipt | None, DeliveryError | None]:
        channel = self.channels.get(message.channel)
        if message.problem:
            return None, DeliveryError(message.problem, retryable=False)
        if channel is None:
            return None, DeliveryError(f"未配置渠道 {message.channel}", retryable=False)
        try:
            await self.limiter.acquire(message.channel, message.recipient)
            receipt = await channel.send(message)
        except DeliveryError as error:
            return None, error
        except Exception as error:  # noqa: BLE001 - one message a channel cannot handle must not stop the wave
            return None, DeliveryError(f"渠道 {message.channel} 无法处理该消息：{type(error).__name__} {error}", retryable=False)
        return receipt, None

    def _outcome(self, row_id: int, attempts: int, now: dt.datetime, sent_as: str, receipt: Receipt | None,
                 error: DeliveryError | None, report: DispatchReport) -> Outcome:
        if error is None:
            assert receipt is not None
            report.sent += 1
            return Outcome(row_id, "sent", now, remote_id=receipt.remote_id, sent_as=sent_as, answer=receipt.answer)
        attempt = attempts + 1
        if error.retryable and attempt < self.max_attempts:
            report.retrying += 1
            return Outcome(row_id, "pending", now, error=str(error), retry_at=now + backoff(attempt, self.retry_base),
                           sent_as=sent_as, answer=error.answer)
        report.failed += 1
        return Outcome(row_id, "failed", now, error=str(error), sent_as=sent_as, answer=error.answer)

