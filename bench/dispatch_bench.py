"""One reminder wave through kaohe's Dispatcher, beside the strongest plain clients in the same run.

    .venv/bin/python bench/dispatch_bench.py [--count N] [--concurrency 8,32] [--batch-size B]
                                             [--channels webhook,email] [--processes [--repeat R] [--skip-plain]]
                                             [--postgres] [--smtp-server lean|aiosmtpd]

Per channel and concurrency C it pre-inserts N outbox rows and lets kaohe's ``Dispatcher`` send them
through kaohe's real channels; in the same run, interleaved, the same N bodies go out through plain
clients at the same C: for webhooks plain ``httpx``, ``httpx`` on the ``httpx-aiohttp`` transport, and
plain ``aiohttp``; for e-mail plain ``aiosmtplib`` with one kept connection per worker. ``--processes``
times the e-mail wave with one dispatcher process and with two on the same outbox (PostgreSQL: FOR
UPDATE SKIP LOCKED), R times interleaved, and reports the CPU seconds of each dispatcher process, of the
SMTP receiver and of the database's PostgreSQL backends. The receivers run in a child process (e-mail:
the lean SMTP sink of ``kaohe.testing.smtp_sink`` unless ``--smtp-server aiosmtpd``); every run is
checked for completeness (every mail once, by Message-ID) and the garbage collector runs before each
timing. Prints deliveries/s and ratios; never asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import hashlib
import json
import multiprocessing
import multiprocessing.connection
import os
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import TypeVar

import aiohttp
import aiosmtplib
import httpx
from cpu_usage import PostgresCpu, machine_busy
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from kaohe.db import TEST_POSTGRES, get_engine, scratch_database, session_scope, upgrade
from kaohe.dispatch import Dispatcher, DispatchReport
from kaohe.http_client import dispatch_client
from kaohe.models import OutboxMessage
from kaohe.notifications.email import AiosmtplibTransport
from kaohe.notifications.markup import html_body
from kaohe.notifications.message import Message
from kaohe.notifications.registry import build_channels
from kaohe.notifications.render import render
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT, Settings
from kaohe.store.cycles import create_cycle
from kaohe.store.outbox import Outgoing, enqueue
from kaohe.workdays import load_calendar

NOW = dt.datetime(2019, 1, 21, 1, 0, tzinfo=dt.timezone.utc)
SENDER = "弥勒市“挂包帮”“转走访”工作联席会议办公室 <kaohe@example.cn>"
PG_SERVER = os.environ.get("KAOHE_TEST_POSTGRES", TEST_POSTGRES)
ROBOT_UNITS = 200
T = TypeVar("T")


# --- receivers in a child process ----------------------------------------------------------------


_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


def _serve_receivers(connection: multiprocessing.connection.Connection, lean: bool) -> None:
    from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver
    from kaohe.testing.smtp_sink import LeanSmtpSink

    with LeanSmtpSink() if lean else LocalSmtpReceiver() as smtp, LocalWebhookReceiver(keep=0) as hooks:
        connection.send((hooks.url, smtp.host, smtp.port))
        while True:
            command = connection.recv()
            if command == "counts":
                mails = smtp.mails
                ids = {found.group(1) if (found := _MESSAGE_ID.search(m.raw.split(b"\r\n\r\n", 1)[0])) else n for n, m in enumerate(mails)}
                connection.send((hooks.count, len(mails), len(ids)))
            elif command == "cpu":
                connection.send(time.process_time())
            elif command == "clear":
                hooks.clear()
                smtp.clear()
                connection.send(None)
            else:
                break


@dataclass
class Receivers:
    """The receivers' addresses, and a way to ask how much arrived."""

    hooks_url: str
    smtp_host: str
    smtp_port: int
    connection: multiprocessing.connection.Connection

    def counts(self) -> tuple[int, int, int]:
        """(HTTP requests, e-mails, distinct Message-IDs among the e-mails) received since the last clear."""
        self.connection.send("counts")
        http, mail, ids = self.connection.recv()
        return int(http), int(mail), int(ids)

    def cpu(self) -> float:
        """CPU seconds the receivers' process has used so far."""
        self.connection.send("cpu")
        return float(self.connection.recv())

    def clear(self) -> None:
        """Forget what arrived so far."""
        self.connection.send("clear")
        self.connection.recv()


@contextmanager
def receivers(*, lean: bool = True) -> Iterator[Receivers]:
    """Start both receivers in a child process for the duration of the block; e-mail goes to the lean SMTP sink
    (kaohe.testing.smtp_sink), or to aiosmtpd (``LocalSmtpReceiver``) when ``lean`` is false."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_serve_receivers, args=(child, lean), daemon=True)
    process.start()
    try:
        hooks_url, smtp_host, smtp_port = parent.recv()
        yield Receivers(hooks_url, smtp_host, smtp_port, parent)
    finally:
        parent.send("stop")
        process.join(timeout=30)


# --- the wave -----------------------------------------------------------------------------------


def _context(n: int) -> dict[str, object]:
    return {
        "unit": f"弥勒市挂包帮单位{n:06d}", "stage": "自查自评", "due": dt.date(2019, 1, 23), "clause": "第五条（一）",
        "scheme": "弥勒市“挂包帮”定点扶贫工作考核办法", "cycle": 2018, "deliverables": ["书面自查报告", "自评分表（签字盖章）"],
        "days_left": 2, "days_overdue": 0, "supervisor": "弥勒市“挂包帮”“转走访”工作联席会议办公室",
    }


def wave(count: int, channel: str, cycle_key: str, cycle_id: int, hooks_url: str) -> list[Outgoing]:
    """``count`` rendered reminders of one wave over ``channel``."""
    messages = []
    for n in range(count):
        subject, body = render("upcoming", _context(n))
        recipient = f"{hooks_url}/hooks/U{n:06d}" if channel == "webhook" else f"单位{n:06d} <u{n:06d}@example.cn>"
        messages.append(Outgoing(
            key=f"{cycle_key}:self_check:U{n:06d}:upcoming:upcoming@2019-01-21:{channel}", cycle_id=cycle_id, stage_key="self_check",
            unit_id=None, kind="upcoming", wave="upcoming@2019-01-21", channel=channel, recipient=recipient, subject=subject, body=body,
            send_after=NOW,
        ))
    return messages


def prepare(url: str, count: int, channel: str, hooks_url: str) -> tuple[int, list[Message]]:
    """A cycle with ``count`` pending outbox rows over ``channel``; returns its id and the messages as kaohe sends them."""
    upgrade(url)
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    roster = [RosterEntry(code=f"U{n:06d}", name=f"弥勒市挂包帮单位{n:06d}", role=Role.ASSESSED) for n in range(ROBOT_UNITS)]
    key = f"bench-{channel}-{uuid.uuid4().hex[:8]}"
    with session_scope(url) as session:
        cycle = create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, 2018, load_calendar()), roster=roster,
                             actor="bench", now=NOW - dt.timedelta(days=60))
        session.flush()
        cycle_id = cycle.id
        messages = wave(count, channel, key, cycle_id, hooks_url)
        enqueue(session, messages, NOW - dt.timedelta(days=1))
    return cycle_id, [Message(m.key, m.kind, m.channel, m.recipient, m.subject, m.body) for m in messages]


async def run_kaohe(url: str, cycle_id: int, where: Receivers, *, concurrency: int, batch_size: int) -> DispatchReport:
    """kaohe's Dispatcher and channels, wired as the dispatch task wires them."""
    settings = Settings(smtp_host=where.smtp_host, smtp_port=where.smtp_port, smtp_sender=SENDER)
    transport = AiosmtplibTransport.from_settings(settings)
    async with dispatch_client(concurrency=concurrency, timeout=30.0) as http:
        dispatcher = Dispatcher(lambda: session_scope(url), build_channels(settings, http, smtp=transport),
                                batch_size=batch_size, concurrency=concurrency)
        report = await dispatcher.run(NOW, cycle_id=cycle_id)
    await transport.aclose()
    return report


async def _pool(items: Sequence[object], concurrency: int, worker: Callable[[int, Sequence[object]], Awaitable[None]]) -> None:
    await asyncio.gather(*(worker(w, items[w::concurrency]) for w in range(concurrency)))


def _json_body(m: Message) -> bytes:
    return json.dumps({"key": m.key, "kind": m.kind, "subject": m.subject, "body": m.body, "attachments": []},
                      ensure_ascii=False, separators=(",", ":")).encode()


def _headers(m: Message) -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": m.key}


async def raw_httpx(messages: Sequence[Message], concurrency: int, *, aiohttp_transport: bool) -> None:
    """The same JSON bodies and headers, encoded and posted by ``concurrency`` workers over one httpx client
    (httpx's own pool, or the httpx-aiohttp transport)."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    transport = None
    if aiohttp_transport:
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=limits, trust_env=False)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30.0), limits=limits, trust_env=False, transport=transport) as http:

        async def worker(_: int, share: Sequence[object]) -> None:
            for m in share:
                assert isinstance(m, Message)
                response = await http.post(m.recipient, content=_json_body(m), headers=_headers(m))
                response.raise_for_status()
                response.json()

        await _pool(messages, concurrency, worker)


async def raw_aiohttp(messages: Sequence[Message], concurrency: int) -> None:
    """The same requests with plain aiohttp (one session, at most ``concurrency`` connections)."""
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:

        async def worker(_: int, share: Sequence[object]) -> None:
            for m in share:
                assert isinstance(m, Message)
                async with http.post(m.recipient, data=_json_body(m), headers=_headers(m)) as response:
                    response.raise_for_status()
                    await response.json()

        await _pool(messages, concurrency, worker)


def plain_email(message: Message, date: str) -> EmailMessage:
    """The same e-mail as kaohe sends (text and HTML alternatives, same headers), built with the standard library alone."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = SENDER
    mail["To"] = message.recipient
    mail["Date"] = date
    mail["Message-ID"] = f"<{hashlib.sha256(message.key.encode()).hexdigest()[:40]}.kaohe@example.cn>"
    mail.set_content(message.body, charset="utf-8", cte="base64")
    mail.add_alternative(html_body(message), subtype="html", charset="utf-8", cte="base64")
    return mail


async def raw_smtp(messages: Sequence[Message], where: Receivers, concurrency: int, *, reuse: bool) -> None:
    """The same e-mails, built and sent by ``concurrency`` workers with plain aiosmtplib (one connection each, or one per mail)."""
    date = format_datetime(NOW)

    async def worker(_: int, share: Sequence[object]) -> None:
        mails = (plain_email(m, date) for m in share if isinstance(m, Message))
        if not reuse:
            for mail in mails:
                await aiosmtplib.send(mail, hostname=where.smtp_host, port=where.smtp_port)
            return
        async with aiosmtplib.SMTP(hostname=where.smtp_host, port=where.smtp_port) as client:
            for mail in mails:
                await client.send_message(mail)

    await _pool(messages, concurrency, worker)


# --- reporting -----------------------------------------------------------------------------------


def _check(where: Receivers, channel: str, count: int) -> str:
    http, mail, ids = where.counts()
    arrived = http if channel == "webhook" else mail
    if arrived != count:
        return f"不完整：收到 {arrived}/{count}"
    return "完整" if channel == "webhook" or ids == count else f"有重复：{count} 封中只有 {ids} 个不同的 Message-ID"


def _sent(url: str, cycle_id: int) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).where(OutboxMessage.cycle_id == cycle_id, OutboxMessage.status == "sent")) or 0)


@dataclass(frozen=True)
class Timing:
    """Wall-clock and client CPU seconds of one run over ``count`` deliveries."""

    count: int
    wall: float
    cpu: float

    @property
    def rate(self) -> float:
        """Deliveries per second."""
        return self.count / self.wall if self.wall > 0 else float("inf")

    def describe(self) -> str:
        """The figures as one Chinese phrase."""
        return f"{self.wall:.2f} 秒，{self.rate:,.0f} 条/秒，客户端 CPU 每条 {1000 * self.cpu / self.count:.2f} 毫秒"


def clocked(count: int, run: Callable[[], Awaitable[T]]) -> tuple[Timing, T]:
    """Run the coroutine ``run()`` to completion after a garbage collection, timing wall clock and this
    process's CPU (the receivers are elsewhere)."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    result = asyncio.run(run())  # type: ignore[arg-type]
    return Timing(count, time.perf_counter() - wall, time.process_time() - cpu), result


def _line(label: str, name: str, timing: Timing, check: str, best: Timing | None = None) -> None:
    ratio = f"；kaohe/本项 {best.rate / timing.rate:.2f}" if best is not None else ""
    print(f"[{label}] {name}：{timing.describe()}（接收方：{check}）{ratio}", flush=True)


SAME_TRANSPORT = {"webhook": "httpx-aiohttp", "email": "aiosmtplib"}
"""Per channel, the plain client the goal compares kaohe with (the one timed again in every extra round)."""


def measure(url: str, label: str, where: Receivers, count: int, *, concurrency: int, batch_size: int, raw_too: bool,
            channels: Sequence[str], rounds: int = 1) -> dict[str, list[float]]:
    """kaohe, then the plain clients, per channel at one concurrency; then ``rounds - 1`` more rounds of kaohe and the
    same-transport client alternating (a fresh wave each time). Prints the figures, returns the rates of every round."""
    rates: dict[str, list[float]] = {}
    for channel in channels:
        tag = f"{label}/{channel}/C={concurrency}"
        for round_ in range(rounds):
            started = time.perf_counter()
            cycle_id, messages = prepare(url, count, channel, where.hooks_url)
            name = f"{tag}" + (f"/第 {round_ + 1} 轮" if rounds > 1 else "")
            print(f"[{name}] 预置 {count} 条待发消息：{time.perf_counter() - started:.1f} 秒", flush=True)
            where.clear()
            kaohe, report = clocked(count, lambda: run_kaohe(url, cycle_id, where, concurrency=concurrency, batch_size=batch_size))
            complete = _check(where, channel, count)
            sent = _sent(url, cycle_id)
            print(f"[{name}] kaohe Dispatcher：{kaohe.describe()}（已发 {report.sent}，库中 sent {sent}，{report.batches} 批；"
                  f"接收方：{complete}）", flush=True)
            rates.setdefault(f"{channel}:kaohe", []).append(kaohe.rate)
            if not raw_too:
                continue
            for key, title, run in _plain_clients(channel, messages, where, concurrency):
                if round_ > 0 and key != SAME_TRANSPORT[channel]:
                    continue
                where.clear()
                raw, _ = clocked(count, run)
                _line(name, title, raw, _check(where, channel, count), kaohe)
                rates.setdefault(f"{channel}:{key}", []).append(raw.rate)
    return rates


def _plain_clients(channel: str, messages: Sequence[Message], where: Receivers,
                   concurrency: int) -> list[tuple[str, str, Callable[[], Awaitable[None]]]]:
    if channel == "webhook":
        return [
            ("httpx", "原始 httpx（自带连接池）", lambda: raw_httpx(messages, concurrency, aiohttp_transport=False)),
            ("httpx-aiohttp", "原始 httpx + httpx-aiohttp 传输", lambda: raw_httpx(messages, concurrency, aiohttp_transport=True)),
            ("aiohttp", "原始 aiohttp", lambda: raw_aiohttp(messages, concurrency)),
        ]
    return [("aiosmtplib", "原始 aiosmtplib（每个并发一条长连接）", lambda: raw_smtp(messages, where, concurrency, reuse=True))]


def _ratios(name: str, kaohe: Sequence[float], plain: Sequence[float]) -> str:
    """kaohe / this client, round by round (each round's pair timed back to back), with the median of several."""
    ratios = [k / p for k, p in zip(kaohe, plain, strict=False)]
    if len(ratios) == 1:
        return f"kaohe/{name} {ratios[0]:.2f}"
    return f"kaohe/{name} 中位数 {statistics.median(ratios):.2f}（各轮 {'、'.join(f'{r:.2f}' for r in ratios)}）"


# --- more dispatcher processes ---------------------------------------------------------------------


def _dispatch_process(url: str, smtp_host: str, smtp_port: int, concurrency: int, batch_size: int,
                      answer: multiprocessing.connection.Connection) -> None:
    answer.send("ready")  # imported: the parent picks the start instant once every process is
    start = answer.recv()
    while time.time() < start:
        time.sleep(0.001)
    cpu = time.process_time()
    settings = Settings(smtp_host=smtp_host, smtp_port=smtp_port, smtp_sender=SENDER)

    async def go() -> DispatchReport:
        transport = AiosmtplibTransport.from_settings(settings)
        async with dispatch_client(concurrency=concurrency) as http:
            report = await Dispatcher(lambda: session_scope(url), build_channels(settings, http, smtp=transport),
                                      batch_size=batch_size, concurrency=concurrency).run(NOW)
        await transport.aclose()
        return report

    report = asyncio.run(go())
    answer.send((report.sent, time.process_time() - cpu, time.time()))


@dataclass(frozen=True)
class ProcessRun:
    """One e-mail wave sent by ``workers`` dispatcher processes, with the CPU seconds of every part of the system."""

    workers: int
    count: int
    wall: float
    sent: tuple[int, ...]
    dispatcher_cpu: tuple[float, ...]
    receiver_cpu: float
    postgres_cpu: float
    machine_cpu: float

    @property
    def rate(self) -> float:
        """Mails per second."""
        return self.count / self.wall

    def describe(self) -> str:
        """The figures as one Chinese line."""
        per_mail = "，".join(f"{1000 * cpu / max(sent, 1):.2f}" for cpu, sent in zip(self.dispatcher_cpu, self.sent, strict=True))
        ours = sum(self.dispatcher_cpu) + self.receiver_cpu + self.postgres_cpu
        return (f"{self.wall:.2f} 秒，{self.rate:,.0f} 条/秒；各进程发送 {'/'.join(map(str, self.sent))} 条，"
                f"CPU {'/'.join(f'{c:.2f}' for c in self.dispatcher_cpu)} 秒（每条 {per_mail} 毫秒），"
                f"Dispatcher 合计每条 {1000 * sum(self.dispatcher_cpu) / self.count:.2f} 毫秒；"
                f"接收方 CPU {self.receiver_cpu:.2f} 秒（每条 {1000 * self.receiver_cpu / self.count:.2f} 毫秒），"
                f"PostgreSQL CPU {self.postgres_cpu:.2f} 秒（每条 {1000 * self.postgres_cpu / self.count:.2f} 毫秒）；"
                f"整机忙 {self.machine_cpu:.2f} CPU 秒（{self.machine_cpu / self.wall:.2f} 核），其中本基准 {ours:.2f}")


def one_process_run(url: str, where: Receivers, count: int, workers: int, *, concurrency: int, batch_size: int) -> ProcessRun:
    """Prepare ``count`` pending mails, then let ``workers`` dispatcher processes send them, started at the same instant."""
    context = multiprocessing.get_context("spawn")
    cycle_id, _ = prepare(url, count, "email", where.hooks_url)
    get_engine(url).dispose()
    where.clear()
    gc.collect()
    pipes = [context.Pipe() for _ in range(workers)]
    children = [context.Process(target=_dispatch_process, args=(url, where.smtp_host, where.smtp_port, concurrency, batch_size, theirs))
                for _, theirs in pipes]
    for child in children:
        child.start()
    for ours, _ in pipes:
        ours.recv()
    start = time.time() + 0.5  # the clock starts once every process has imported what it needs
    for ours, _ in pipes:
        ours.send(start)
    while time.time() < start - 0.05:
        time.sleep(0.01)
    receiver, machine = where.cpu(), machine_busy()
    with PostgresCpu(str(make_url(url).database)) as postgres:
        answers = [ours.recv() for ours, _ in pipes]
        receiver, machine = where.cpu() - receiver, machine_busy() - machine
    for child in children:
        child.join()
    wall = max(finished for _, _, finished in answers) - start
    run = ProcessRun(workers, count, wall, tuple(a[0] for a in answers), tuple(a[1] for a in answers), receiver, postgres.seconds, machine)
    check = f"库中 sent {_sent(url, cycle_id)}/{count}；接收方：{_check(where, 'email', count)}"
    print(f"[PostgreSQL/email/进程] {workers} 个 Dispatcher 进程：{run.describe()}（{check}）", flush=True)
    return run


def processes(url: str, where: Receivers, count: int, *, concurrency: int, batch_size: int, repeat: int) -> None:
    """The e-mail wave with one dispatcher process, then with two on the same outbox, ``repeat`` times interleaved."""
    runs: dict[int, list[ProcessRun]] = {1: [], 2: []}
    for _ in range(repeat):
        for workers in (1, 2):
            runs[workers].append(one_process_run(url, where, count, workers, concurrency=concurrency, batch_size=batch_size))
    ratios = [two.rate / one.rate for one, two in zip(runs[1], runs[2], strict=True)]
    cpu = {w: [1000 * sum(r.dispatcher_cpu) / r.count for r in rs] for w, rs in runs.items()}
    print(f"[PostgreSQL/email/进程] 2 个进程 / 1 个进程（吞吐）：{'，'.join(f'{r:.2f}' for r in ratios)} 倍；"
          f"Dispatcher CPU 每条：1 个进程 {'，'.join(f'{c:.2f}' for c in cpu[1])} 毫秒，2 个进程 {'，'.join(f'{c:.2f}' for c in cpu[2])} 毫秒；"
          f"负载 {os.getloadavg()[0]:.1f}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run, print."""
    parser = argparse.ArgumentParser(description="kaohe 提醒发送基准：Dispatcher 与原始 httpx/aiohttp/aiosmtplib 同场对比")
    parser.add_argument("--count", type=int, default=20_000, help="每个渠道、每种并发的消息数 N（默认 20000）")
    parser.add_argument("--concurrency", default="8,32", help="并发数，逗号分隔（kaohe 与原始基线相同；默认 8,32）")
    parser.add_argument("--batch-size", type=int, default=500, help="Dispatcher 每批领取条数（默认 500）")
    parser.add_argument("--channels", default="webhook,email", help="要测的渠道，逗号分隔（webhook,email）")
    parser.add_argument("--postgres", action="store_true", help="另在 PostgreSQL 上跑一遍 kaohe")
    parser.add_argument("--processes", action="store_true", help="在 PostgreSQL 上比较 1 个与 2 个 Dispatcher 进程发送邮件")
    parser.add_argument("--repeat", type=int, default=1, help="--processes 的比较重复几次（1 个、2 个进程交替；默认 1）")
    parser.add_argument("--rounds", type=int, default=1,
                        help="SQLite 对比跑几轮：第 1 轮测全部原始客户端，之后每轮 kaohe 与同传输的原始客户端交替各测一次，汇总给中位数（默认 1）")
    parser.add_argument("--smtp-server", choices=("lean", "aiosmtpd"), default="lean",
                        help="邮件接收方：lean 为精简 SMTP 服务（默认，开销小，测的是发送方），aiosmtpd 为测试用的完整服务")
    parser.add_argument("--skip-plain", action="store_true", help="不跑 SQLite 上 kaohe 与原始客户端的对比（只测进程数）")
    args = parser.parse_args(argv)
    channels = [c.strip() for c in args.channels.split(",") if c.strip()]
    levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    print(f"N={args.count}，并发 {levels}，批大小 {args.batch_size}，CPU {os.cpu_count()} 核，Python {sys.version.split()[0]}，"
          f"负载 {os.getloadavg()[0]:.1f}", flush=True)
    summary: list[tuple[int, dict[str, list[float]]]] = []
    print(f"邮件接收方：{args.smtp_server}", flush=True)
    with receivers(lean=args.smtp_server == "lean") as where, tempfile.TemporaryDirectory(prefix="kaohe-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'bench.db'}"
        for concurrency in levels if not args.skip_plain else []:
            summary.append((concurrency, measure(url, "SQLite", where, args.count, concurrency=concurrency, batch_size=args.batch_size,
                                                 raw_too=True, channels=channels, rounds=args.rounds)))
        get_engine(url).dispose()
        if args.postgres or args.processes:
            with scratch_database(PG_SERVER, "kaohe_bench") as pg_url:
                if args.postgres:
                    for concurrency in levels:
                        measure(pg_url, "PostgreSQL", where, args.count, concurrency=concurrency, batch_size=args.batch_size,
                                raw_too=False, channels=channels)
                if args.processes:
                    processes(pg_url, where, args.count, concurrency=levels[-1], batch_size=args.batch_size, repeat=args.repeat)
    print("汇总（同一次运行，SQLite）：", flush=True)
    for concurrency, rates in summary:
        for channel in channels:
            kaohe = rates[f"{channel}:kaohe"]
            others = "，".join(_ratios(k.split(":", 1)[1], kaohe, v) for k, v in rates.items()
                              if k.startswith(f"{channel}:") and not k.endswith(":kaohe"))
            print(f"  C={concurrency} {channel}：kaohe {statistics.median(kaohe):,.0f} 条/秒；{others}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
