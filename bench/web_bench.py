"""The portal under load: the overdue list and a unit's task page of a 10,000-unit cycle under 20
concurrent clients (p50, p95), beside a plain SQL query of the same rows in the same run; a 50 MB
upload beside a plain file copy.

    .venv/bin/python bench/web_bench.py [--units 10000] [--clients 20] [--requests 100] [--upload-mb 50]

The portal runs as ``kaohe web`` in its own process (uvicorn, one worker) on a SQLite file in a
temporary KAOHE_HOME; the cycle is mile-2018 (every deadline long past, so every obligation not done
is overdue); 30 % of the units have done their self-check. Nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-Password-2019!"
PAGE_ROWS = 500  # what the overdue page lists (kaohe.web.routes.board.PAGE_ROWS); it counts all


def build(home: Path, units: int) -> tuple[str, str]:
    """A 10,000-unit cycle, a coordinator and a unit account with an API token; returns (cycle, token)."""
    from sqlalchemy import text

    from kaohe.accounts.service import accept_invitation, create_account, invite, issue_api_token
    from kaohe.db import ensure_schema, session_scope
    from kaohe.planning import plan_cycle
    from kaohe.roster import Role, RosterEntry
    from kaohe.schemes import load_scheme
    from kaohe.store.cycles import create_cycle
    from kaohe.workdays import load_calendar

    url = f"sqlite:///{home / 'kaohe.db'}"
    ensure_schema(url)
    now = dt.datetime.now(dt.timezone.utc)
    roster = [RosterEntry(code=f"U{n:05d}", name=f"测试单位{n:05d}", role=Role.ASSESSED, region=f"片区{n % 10}", township=f"乡镇{n % 97}",
                          supervisor=f"V{n % 50:02d}", contacts={"email": f"u{n:05d}@example.cn"}) for n in range(units)]
    roster += [RosterEntry(code=f"V{n:02d}", name=f"核查单位{n:02d}", role=Role.VERIFIER) for n in range(50)]
    scheme = load_scheme("mile", ROOT / "schemes")
    with session_scope(url) as session:
        create_cycle(session, key="mile-2018", scheme=scheme, plan=plan_cycle(scheme, 2018, load_calendar()), roster=roster,
                     actor="bench", now=now)
        session.flush()
        session.execute(text(  # bench data: 30 % of the units did their self-check on time
            "UPDATE obligations SET status='done', completed_at=due_at WHERE stage_id=(SELECT id FROM cycle_stages WHERE key='self_check') "
            "AND unit_id IN (SELECT id FROM units WHERE CAST(substr(code, 2) AS INTEGER) % 10 < 3 AND code LIKE 'U%')"))
        reminders(session, units, now)
        for name, role, unit in (("bench-coord", "coordinator", None), ("bench-unit", "unit", "U00007")):
            create_account(session, name=name, role=role, unit_code=unit, by="bench", now=now)
            accept_invitation(session, invite(session, name, by="bench", now=now), PASSWORD, now=now)
        token = issue_api_token(session, "bench-unit", label="bench", by="bench", now=now)
    return "mile-2018", token


def reminders(session: Any, units: int, now: dt.datetime) -> None:
    """Three reminders of the self-check per unit (opened, upcoming, overdue), two sent by e-mail, the last one pending:
    the overdue list shows each unit's newest."""
    from sqlalchemy import select, update

    from kaohe.models import Cycle, OutboxMessage, Unit
    from kaohe.store.outbox import Outgoing, enqueue

    cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == "mile-2018"))
    ids = dict(session.execute(select(Unit.code, Unit.id).where(Unit.cycle_id == cycle_id)).tuples().all())
    when = now - dt.timedelta(days=400)
    messages = [Outgoing(key=f"mile-2018:self_check:U{n:05d}:{kind}", cycle_id=cycle_id, stage_key="self_check", unit_id=ids[f"U{n:05d}"],
                         kind=kind, wave=f"{kind}@bench", channel="email", recipient=f"u{n:05d}@example.cn", subject="自查自评提醒",
                         body="请按时报送。", send_after=when + dt.timedelta(days=step))
                for n in range(units) for step, kind in enumerate(("stage_opened", "upcoming", "overdue"))]
    enqueue(session, messages, when)
    session.execute(update(OutboxMessage).where(OutboxMessage.kind != "overdue").values(status="sent", sent_at=OutboxMessage.send_after))


def start_portal(home: Path, port: int) -> subprocess.Popen[bytes]:
    """``kaohe web`` in its own process; returns when it answers."""
    env = {**os.environ, "KAOHE_HOME": str(home), "KAOHE_DATABASE_URL": f"sqlite:///{home / 'kaohe.db'}", "KAOHE_SECRET_KEY": "bench"}
    log = (home / "portal.log").open("wb")
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "kaohe"), "web", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"kaohe web did not start: see {home / 'portal.log'}")


def login(base: str, name: str) -> httpx.Cookies:
    """Log in through the form; the session cookie."""
    with httpx.Client(base_url=base) as client:
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        answer = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token.group(1)})
        assert answer.status_code == 303, answer.text[:300]
        return client.cookies


async def load(base: str, cookies: httpx.Cookies, path: str, clients: int, requests: int) -> tuple[list[float], int]:
    """``requests`` GETs of ``path`` by ``clients`` concurrent clients; latencies (s) and bytes of one answer."""
    latencies: list[float] = []
    size = 0
    queue = list(range(requests))

    async def worker() -> None:
        nonlocal size
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=120) as client:
            while queue:
                queue.pop()
                start = time.perf_counter()
                answer = await client.get(path)
                latencies.append(time.perf_counter() - start)
                assert answer.status_code == 200, (path, answer.status_code, answer.text[:500])
                size = len(answer.content)

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, size


Query = Callable[[sqlite3.Connection], int]


def statements(*pairs: tuple[str, tuple[object, ...]]) -> Query:
    """Plain SQL statements run one after the other; the rows of the first."""

    def run(connection: sqlite3.Connection) -> int:
        return [len(connection.execute(sql, params).fetchall()) for sql, params in pairs][0]

    return run


def page_query(extra: str, params: tuple[object, ...], now: str) -> Query:
    """The overdue page the plain way: its first PAGE_ROWS rows, the newest message of those units per stage, the count."""

    def run(connection: sqlite3.Connection) -> int:
        rows = connection.execute(PAGE_SQL.format(extra=extra, limit=PAGE_ROWS), (1, 1, now, "self_check", *params)).fetchall()
        ids = sorted({row[0] for row in rows})
        marks = ",".join("?" * len(ids))
        newest = connection.execute(f"SELECT unit_id, stage_key, max(id) FROM outbox WHERE cycle_id = ? AND unit_id IN ({marks}) "
                                    "GROUP BY unit_id, stage_key", (1, *ids)).fetchall()
        found = [row[2] for row in newest]
        connection.execute(f"SELECT id, sent_at, send_after, channel, status, kind FROM outbox WHERE id IN ({','.join('?' * len(found))})",
                           found).fetchall()
        connection.execute(OVERDUE_COUNT_SQL.format(extra=extra), (1, now, "self_check", *params)).fetchall()
        return len(rows)

    return run


def plain(db: Path, query: Query, clients: int, requests: int) -> tuple[list[float], int]:
    """The same rows by plain SQL, ``clients`` threads with their own connections; latencies and rows."""
    latencies: list[float] = []
    rows = 0

    def one(_: int) -> None:
        nonlocal rows
        connection = sqlite3.connect(db)
        start = time.perf_counter()
        rows = query(connection)
        latencies.append(time.perf_counter() - start)
        connection.close()

    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(requests)))
    return latencies, rows


OVERDUE_SQL = """
SELECT u.code, u.name, u.region, u.city, u.county, u.township, u.kind, s.key, s.name, o.due_at, m.sent_at, m.channel, m.status, sup.name
FROM obligations o JOIN units u ON u.id = o.unit_id JOIN cycle_stages s ON s.id = o.stage_id
LEFT JOIN (SELECT unit_id, stage_key, max(id) AS id FROM outbox WHERE cycle_id = ? GROUP BY unit_id, stage_key) last
       ON last.unit_id = u.id AND last.stage_key = s.key
LEFT JOIN outbox m ON m.id = last.id
LEFT JOIN units sup ON sup.cycle_id = ? AND sup.code = u.supervisor_code
WHERE o.cycle_id = ? AND o.status IN ('pending', 'overdue') AND o.due_at < ? AND s.key = ? {extra}
ORDER BY o.due_at, s.position, u.code"""
PAGE_SQL = """
SELECT u.id, u.code, u.name, u.region, u.city, u.county, u.township, u.kind, s.key, s.name, o.due_at, sup.name
FROM obligations o JOIN units u ON u.id = o.unit_id JOIN cycle_stages s ON s.id = o.stage_id
LEFT JOIN units sup ON sup.cycle_id = ? AND sup.code = u.supervisor_code
WHERE o.cycle_id = ? AND o.status IN ('pending', 'overdue') AND o.due_at < ? AND s.key = ? {extra}
ORDER BY o.due_at, s.position, u.code LIMIT {limit}"""
OVERDUE_COUNT_SQL = """
SELECT count(*) FROM obligations o JOIN units u ON u.id = o.unit_id JOIN cycle_stages s ON s.id = o.stage_id
WHERE o.cycle_id = ? AND o.status IN ('pending', 'overdue') AND o.due_at < ? AND s.key = ? {extra}"""
TASKS_SQL = """
SELECT o.id, s.key, s.name, o.due_at, o.status, (SELECT max(version) FROM submissions WHERE obligation_id = o.id)
FROM obligations o JOIN units u ON u.id = o.unit_id JOIN cycle_stages s ON s.id = o.stage_id
WHERE u.code = ? ORDER BY o.due_at, s.position"""


def portal_cpu(pid: int) -> float:
    """CPU seconds (user + system) the portal process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    """The q-quantile in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, latencies: list[float], extra: str) -> None:
    """One result line."""
    print(f"  {name:<34} p50 {pct(latencies, 0.5):8.1f} ms   p95 {pct(latencies, 0.95):8.1f} ms   "
          f"{len(latencies) / max(sum(latencies) / 20, 1e-9):7.1f} 次/秒（估）  {extra}")


def main() -> None:
    """Run it and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--upload-mb", type=int, default=50)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="kaohe-web-bench-"))
    try:
        started = time.perf_counter()
        cycle, token = build(home, args.units)
        print(f"准备：{args.units} 个单位的周期与账号 {time.perf_counter() - started:.1f} 秒")
        with __import__("socket").socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        portal = start_portal(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            coordinator, unit = login(base, "bench-coord"), login(base, "bench-unit")
            db = home / "kaohe.db"
            now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
            region = "AND u.region = ?"
            cases: list[tuple[str, httpx.Cookies, str, Query | None, int]] = [
                ("逾期名单页（自查自评，全部）", coordinator, f"/cycles/{cycle}/overdue?stage=self_check", page_query("", (), now),
                 args.requests),
                ("逾期名单页（自查自评，片区3）", coordinator, f"/cycles/{cycle}/overdue?stage=self_check&region=%E7%89%87%E5%8C%BA3",
                 page_query(region, ("片区3",), now), args.requests),
                ("逾期名单 API（自查自评，全部行）", coordinator, f"/api/cycles/{cycle}/overdue?stage=self_check",
                 statements((OVERDUE_SQL.format(extra=""), (1, 1, 1, now, "self_check"))), max(10, args.requests // 5)),
                ("进度看板", coordinator, f"/cycles/{cycle}", None, args.requests),
                ("单位“我的任务”", unit, "/tasks", statements((TASKS_SQL, ("U00007",))), args.requests * 2),
            ]
            print(f"{args.clients} 个并发客户端（门户进程 CPU 与直接 SQL 的 CPU 均为每次请求的毫秒数）：")
            for name, cookies, path, query, count in cases:
                cpu = portal_cpu(portal.pid)
                latencies, size = asyncio.run(load(base, cookies, path, args.clients, count))
                served = portal_cpu(portal.pid) - cpu
                line(name, latencies, f"{count} 次，页面 {size / 1024:.0f} KB，门户 CPU {1000 * served / count:.1f} 毫秒/次")
                if query is not None:
                    cpu = time.process_time()
                    sql_latencies, rows = plain(db, query, args.clients, count)
                    used = time.process_time() - cpu
                    line("  同样的行，直接 SQL", sql_latencies, f"{rows} 行，CPU {1000 * used / count:.1f} 毫秒/次")
                    print(f"  {'':<34} 门户/直接 SQL：p50 {pct(latencies, 0.5) / pct(sql_latencies, 0.5):.1f} 倍，"
                          f"CPU {served / max(used, 1e-9):.1f} 倍")

            payload = home / "upload.bin"
            payload.write_bytes(os.urandom(args.upload_mb * 1024 * 1024))
            copies, uploads, cpus = [], [], []
            for attempt in range(3):  # interleaved; the minimum of each
                gc.collect()
                start = time.perf_counter()
                shutil.copyfile(payload, home / f"copy{attempt}.bin")
                with (home / f"copy{attempt}.bin").open("rb") as copied:
                    os.fsync(copied.fileno())
                copies.append(time.perf_counter() - start)
                cpu = portal_cpu(portal.pid)
                with payload.open("rb") as handle:
                    start = time.perf_counter()
                    answer = httpx.post(f"{base}/api/tasks/{cycle}/submission/submissions", headers={"Authorization": f"Bearer {token}"},
                                        files={"report": ("自查报告.bin", handle)}, timeout=300)
                    uploads.append(time.perf_counter() - start)
                cpus.append(portal_cpu(portal.pid) - cpu)
                assert answer.status_code == 201, answer.text[:300]
            upload_seconds, copy_seconds = min(uploads), min(copies)
            print(f"上传 {args.upload_mb} MB（流式写盘、边收边算 SHA-256、落盘、入库、回执；3 次取最小）：{upload_seconds:.2f} 秒 "
                  f"（{args.upload_mb / upload_seconds:.0f} MB/秒，门户 CPU {min(cpus):.2f} 秒）；直接复制文件并 fsync：{copy_seconds:.2f} 秒 "
                  f"（{args.upload_mb / copy_seconds:.0f} MB/秒）；比值 {upload_seconds / copy_seconds:.1f}")
        finally:
            portal.terminate()
            try:
                portal.wait(timeout=20)
            except subprocess.TimeoutExpired:
                portal.kill()
                portal.wait()
    except BaseException:
        print(f"portal log: {home / 'portal.log'}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
