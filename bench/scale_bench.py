"""Scale-out on PostgreSQL: the Prefect server and kaohe both on PostgreSQL, process workers running
every wave, webhooks counted by idempotency key. Reports deliveries per second with 1 and 2 workers and
checks exactly-once (nothing lost, nothing twice).

    .venv/bin/python bench/scale_bench.py [--cycles 2] [--units 1000] [--until 2019-01-17] [--workers 1,2]

For each worker count it creates two fresh PostgreSQL databases (Prefect's and kaohe's) on the server of
``KAOHE_TEST_POSTGRES`` (default postgresql+psycopg://postgres@127.0.0.1:5432/test), runs ``kaohe serve
--workers 0`` on loopback against them, starts N ``prefect worker`` processes, creates ``--cycles`` Mile
2018 cycles of ``--units`` units whose only channel is a webhook to a local HTTP receiver, and then runs
each wave (every instant the calendar gives up to ``--until``) as deployment runs of ``advance-cycle``:
two runs per cycle and instant, so workers race on the same cycle. A wave's runs must all finish before
the next wave starts. The baseline is the same receiver fed by plain httpx POSTs, one per delivery, in
the same run. Never asserts on time; it fails only when a delivery is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import func, select

from kaohe.db import TEST_POSTGRES, postgres_unreachable, scratch_database, session_scope, upgrade
from kaohe.engine.advance import wave_instants
from kaohe.models import OutboxMessage
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.store.advance import obligation_states, stage_states
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.supervisor import Supervisor
from kaohe.testing.receivers import LocalWebhookReceiver
from kaohe.workdays import load_calendar

PG_SERVER = os.environ.get("KAOHE_TEST_POSTGRES", TEST_POSTGRES)
BIN = Path(sys.executable).parent
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@dataclass
class ScaleResult:
    """What one configuration did."""

    workers: int
    cycles: int
    units: int
    waves: int
    runs: int
    failed_runs: int
    deliveries: int  # outbox rows sent
    received_keys: int  # distinct idempotency keys at the receiver
    duplicates: int  # requests beyond one per key
    unsent: int  # outbox rows in any other state
    seconds: float
    workers_used: int  # distinct workers that ran a flow

    @property
    def exactly_once(self) -> bool:
        """Every enqueued delivery arrived, each exactly once."""
        return self.unsent == 0 and self.duplicates == 0 and self.received_keys == self.deliveries > 0

    @property
    def per_second(self) -> float:
        """Deliveries per second of wave time."""
        return self.deliveries / self.seconds if self.seconds else 0.0


def postgres_reason() -> str | None:
    """Why PostgreSQL cannot be used here, or None."""
    return postgres_unreachable(PG_SERVER)


@contextmanager
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh databases (Prefect's as postgresql+asyncpg, kaohe's as postgresql+psycopg), dropped after."""
    with scratch_database(PG_SERVER, "prefect_scale") as prefect_url, scratch_database(PG_SERVER, "kaohe_scale") as kaohe_url:
        yield prefect_url.replace("+psycopg", "+asyncpg", 1), kaohe_url


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_cycles(url: str, cycles: int, units: int, hook_url: str) -> list[str]:
    """``cycles`` Mile 2018 cycles of ``units`` units each; every unit (and the office) has only a webhook."""
    upgrade(url)
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    plan = plan_cycle(scheme, 2018, load_calendar())
    keys = []
    for c in range(cycles):
        key = f"mile-2018-s{c}"
        roster = [RosterEntry(code=f"U{n:05d}", name=f"弥勒市挂包帮单位{n:05d}", role=Role.ASSESSED, supervisor="OFFICE",
                              contacts={"webhook": f"{hook_url}/{key}/U{n:05d}"}) for n in range(units)]
        roster.append(RosterEntry(code="OFFICE", name="市联席办", role=Role.COORDINATOR,
                                  contacts={"webhook": f"{hook_url}/{key}/OFFICE"}))
        with session_scope(url) as session:
            create_cycle(session, key=key, scheme=scheme, plan=plan, roster=roster, actor="bench",
                         now=dt.datetime(2018, 11, 1, tzinfo=dt.timezone.utc))
        keys.append(key)
    return keys


def waves(url: str, key: str, until: dt.datetime) -> list[dt.datetime]:
    """The instants the calendar gives the cycle, up to ``until``."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        instants = wave_instants(stage_states(cycle), obligation_states(session, cycle), load_calendar(), cycle.office_hours)
    return [i for i in instants if i <= until]


async def _wait_ready(api: str, workers: int, timeout: float) -> None:
    """Until the deployments exist and ``workers`` workers are online (``workers`` 0: deployments only)."""
    from prefect.client.orchestration import PrefectClient

    deadline = time.monotonic() + timeout
    while True:
        try:
            async with PrefectClient(api) as client:
                deployments = {d.name for d in await client.read_deployments()}
                online = [w for w in await client.read_workers_for_work_pool("kaohe") if w.status == "ONLINE"] if workers else []
            if len(online) >= workers and "advance-cycle" in deployments:
                return
        except Exception:  # noqa: BLE001, S110 - not up yet
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"服务器或 worker 在 {timeout:.0f} 秒内未就绪")
        await asyncio.sleep(0.25)


async def run_waves(api: str, keys: list[str], instants: list[dt.datetime], copies: int = 2) -> tuple[int, int, float]:
    """Each wave as ``copies`` advance-cycle runs per cycle, run by the workers; the next wave starts when
    all finished. Returns (runs, failed runs, seconds)."""
    from prefect.client.orchestration import PrefectClient
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from kaohe.flows.run_log import advance_title, beijing

    runs = failed = 0
    async with PrefectClient(api) as client:
        deployment = await client.read_deployment_by_name("advance-cycle/advance-cycle")
        started = time.perf_counter()
        for instant in instants:
            created = await asyncio.gather(*(
                client.create_flow_run_from_deployment(deployment.id, parameters={"cycle": key, "as_of": beijing(instant).isoformat()},
                                                       name=advance_title(key, instant), tags=["scale-bench"])
                for key in keys for _ in range(copies)))
            ids = [run.id for run in created]
            while True:
                finished = await client.read_flow_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids)), limit=len(ids))
                if all(run.state_type is not None and run.state_type.value in TERMINAL for run in finished) and len(finished) == len(ids):
                    break
                await asyncio.sleep(0.25)
            runs += len(ids)
            failed += sum(run.state_type.value != "COMPLETED" for run in finished if run.state_type is not None)
        return runs, failed, time.perf_counter() - started


def check(url: str, receiver: LocalWebhookReceiver) -> tuple[int, int, int, int]:
    """(outbox rows sent, distinct keys received, duplicate requests, outbox rows not sent)."""
    with session_scope(url) as session:
        statuses = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    keys = Counter(r.headers.get("idempotency-key") for r in receiver.requests)
    sent = int(statuses.pop("sent", 0))
    return sent, len(keys), sum(n - 1 for n in keys.values()), int(sum(statuses.values()))


def run_scale(*, workers: int, cycles: int, units: int, until: dt.datetime, home: Path, copies: int = 2,
              limit: int = 4, max_waves: int | None = None, timeout: float = 600) -> ScaleResult:
    """One configuration, from fresh databases to the exactly-once check (see the module doc)."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    with databases() as (prefect_url, kaohe_url), LocalWebhookReceiver() as receiver:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KAOHE_"))}
        env.update({"PREFECT_HOME": str(home / "prefect"), "KAOHE_HOME": str(home / "kaohe"), "KAOHE_PROJECT_DIR": str(PROJECT_ROOT),
                    "PREFECT_SERVER_DATABASE_CONNECTION_URL": prefect_url, "KAOHE_DATABASE_URL": kaohe_url,
                    "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_SERVER_UI_ENABLED": "false",
                    "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
                    "PREFECT_API_URL": api})
        keys = make_cycles(kaohe_url, cycles, units, receiver.url)
        instants = waves(kaohe_url, keys[0], until)[:max_waves]
        supervisor = Supervisor(env, PROJECT_ROOT)
        home.mkdir(parents=True, exist_ok=True)
        try:
            supervisor.start("kaohe serve", [str(BIN / "kaohe"), "serve", "--port", str(port), "--no-web", "--workers", "0"],
                             home / "serve.log")
            asyncio.run(_wait_ready(api, 0, timeout))
            # INFO on the workers only: each logs "Worker 'scale-N' submitting flow run" for the runs it takes
            supervisor.env = {**env, "PREFECT_LOGGING_LEVEL": "INFO"}
            for n in range(workers):
                supervisor.start(f"worker {n + 1}", [str(BIN / "prefect"), "worker", "start", "--pool", "kaohe", "--type", "process", "--limit", str(limit),
                                                     "--name", f"scale-{n + 1}"], home / f"worker-{n + 1}.log")
            asyncio.run(_wait_ready(api, workers, timeout))
            runs, failed, seconds = asyncio.run(run_waves(api, keys, instants, copies))
        finally:
            supervisor.stop()
        used = sum(1 for n in range(workers) if f"Worker 'scale-{n + 1}' submitting flow run" in
                   (home / f"worker-{n + 1}.log").read_text(encoding="utf-8", errors="replace"))
        sent, received, duplicates, unsent = check(kaohe_url, receiver)
    return ScaleResult(workers, cycles, units, len(instants), runs, failed, sent, received, duplicates, unsent, seconds, used)


def plain_baseline(deliveries: int) -> float:
    """Deliveries per second of plain httpx POSTs (one per delivery, keep-alive, 8 at a time) to the same receiver."""

    async def post_all(url: str) -> float:
        limit = asyncio.Semaphore(8)
        async with httpx.AsyncClient(trust_env=False) as http:
            async def one(n: int) -> None:
                async with limit:
                    (await http.post(f"{url}/plain/{n}", json={"n": n}, headers={"Idempotency-Key": f"plain-{n}"})).raise_for_status()

            started = time.perf_counter()
            await asyncio.gather(*(one(n) for n in range(deliveries)))
            return deliveries / (time.perf_counter() - started)

    with LocalWebhookReceiver() as receiver:
        return asyncio.run(post_all(receiver.url))


def main(argv: list[str] | None = None) -> int:
    """Parse options, run each worker count, print the figures."""
    parser = argparse.ArgumentParser(description="kaohe 横向扩展基准：PostgreSQL 上的 Prefect 服务器与多个进程 worker")
    parser.add_argument("--cycles", type=int, default=2, help="周期数（默认 2）")
    parser.add_argument("--units", type=int, default=1000, help="每个周期的单位数（默认 1000）")
    parser.add_argument("--until", default="2019-01-17", help="推进到哪一天为止（北京时间，默认 2019-01-17：4 个时刻）")
    parser.add_argument("--workers", default="1,2", help="依次测试的 worker 数（默认 1,2）")
    args = parser.parse_args(argv)
    reason = postgres_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 2
    until = dt.datetime.fromisoformat(args.until).replace(hour=23, minute=59, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    print(f"{args.cycles} 个周期 × {args.units} 个单位，推进到 {args.until}；每个时刻每个周期 2 次运行；CPU {os.cpu_count()} 核", flush=True)
    results = []
    for count in (int(n) for n in args.workers.split(",")):
        with tempfile.TemporaryDirectory(prefix="kaohe-scale-") as home:
            result = run_scale(workers=count, cycles=args.cycles, units=args.units, until=until, home=Path(home))
        results.append(result)
        print(f"{count} 个 worker：{result.waves} 个时刻，{result.runs} 次运行（失败 {result.failed_runs}，由 {result.workers_used} 个 worker 执行），"
              f"送达 {result.deliveries} 条，用时 {result.seconds:.1f} 秒，{result.per_second:.1f} 条/秒；"
              f"恰好一次：{'是' if result.exactly_once else '否'}（收到 {result.received_keys} 个键，重复 {result.duplicates}，未送出 {result.unsent}）",
              flush=True)
    baseline = plain_baseline(max(r.deliveries for r in results))
    print(f"基线：同一接收端，直接用 httpx 逐条 POST：{baseline:.0f} 条/秒", flush=True)
    return 0 if all(r.exactly_once and not r.failed_runs for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
