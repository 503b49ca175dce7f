"""Creating a cycle of N units from a roster file, beside a plain Core executemany of the same rows.

    .venv/bin/python bench/cycle_bench.py [--units N] [--repeat R]

Writes a CSV roster of N assessed units (and their office) in the mile format, then runs, each in a
fresh process on a fresh SQLite file, interleaved:

- **kaohe**: ``read_roster`` (every row checked) and ``create_cycle`` in one ``session_scope``, as
  ``kaohe cycle create`` does;
- **plain**: the standard library's ``csv`` reading the same file into dicts, then SQLAlchemy Core
  ``executemany`` of the same rows (cycle, stages, units, obligations) in one transaction.

Each process reports its seconds per phase and its peak memory (``ru_maxrss``) with the part that the
work added on top of the imports. The garbage collector runs before each timing. Never asserts on time.
"""

from __future__ import annotations

import argparse
import csv
import gc
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

KEY = "mile-2018-bench"
HEADER = ["编码", "名称", "类别", "角色", "乡镇", "贫困乡镇", "上级", "邮箱", "手机"]


def write_roster(path: Path, units: int) -> None:
    """A valid mile roster of ``units`` assessed units and the office they report to."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        writer.writerow(["OFFICE", "弥勒市“挂包帮”“转走访”工作联席会议办公室", "", "协调办公室", "", "", "", "office@example.cn", ""])
        for n in range(units):
            writer.writerow([f"U{n:06d}", f"弥勒市挂包帮单位{n:06d}", "市级部门", "被考核单位", "弥阳镇", "否", "OFFICE",
                             f"u{n:06d}@example.cn", f"139{n:08d}"])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_kaohe(url: str, roster: str) -> dict[str, float]:
    """kaohe's own path: read and check the roster, create the cycle in one transaction."""
    import datetime as dt

    from kaohe.db import get_engine, session_scope, upgrade
    from kaohe.limits import Limits, use_limits
    from kaohe.planning import plan_cycle
    from kaohe.roster import read_roster
    from kaohe.schemes import load_scheme
    from kaohe.settings import PROJECT_ROOT
    from kaohe.store.cycles import create_cycle
    from kaohe.workdays import load_calendar

    use_limits(Limits(max_rows=10**7))  # as KAOHE_MAX_ROWS=… kaohe cycle create: the roster has N + 1 rows
    upgrade(url)
    get_engine(url).dispose()
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    plan = plan_cycle(scheme, 2018, load_calendar())
    gc.collect()
    base = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    entries = read_roster(roster)
    read = time.perf_counter() - started
    with session_scope(url) as session:
        create_cycle(session, key=KEY, scheme=scheme, plan=plan, roster=entries, actor="bench",
                     now=dt.datetime(2018, 11, 30, tzinfo=dt.timezone.utc))
    total = time.perf_counter() - started
    return {"read": read, "create": total - read, "total": total, "cpu": time.process_time() - cpu, "peak": _peak_mb(),
            "added": _peak_mb() - base}


def run_plain(url: str, roster: str) -> dict[str, float]:
    """The plain path: ``csv`` into dicts, Core executemany of the same rows in one transaction."""
    import datetime as dt

    from sqlalchemy import insert, select

    from kaohe.db import get_engine, upgrade
    from kaohe.models import AuditEntry, Cycle, CycleStage, Obligation, Unit
    from kaohe.planning import plan_cycle
    from kaohe.schemes import load_scheme
    from kaohe.settings import PROJECT_ROOT
    from kaohe.workdays import load_calendar

    upgrade(url)
    engine = get_engine(url)
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    plan = plan_cycle(scheme, 2018, load_calendar())
    now = dt.datetime(2018, 11, 30, tzinfo=dt.timezone.utc)
    roles = {"被考核单位": "assessed", "协调办公室": "coordinator"}
    gc.collect()
    base = _rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with open(roster, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    read = time.perf_counter() - started
    units, cycles, stages, obligations = Unit.__table__, Cycle.__table__, CycleStage.__table__, Obligation.__table__
    with engine.begin() as connection:
        cycle_id = connection.execute(insert(cycles).values(
            key=KEY, scheme_id=scheme.id, year=plan.year, scheme_snapshot=scheme.model_dump(mode="json"), holiday_policy=None,
            events={k: v.isoformat() for k, v in plan.events.items()}, office_hours="09:00", provisional=plan.provisional,
            created_at=now, status="active")).inserted_primary_key[0]
        connection.execute(insert(stages), [
            {"cycle_id": cycle_id, "key": p.id, "position": n, "name": p.name, "kind": p.kind, "actor": p.actor, "clause": p.clause,
             "opens_at": p.opens, "due_at": p.due, "source_due": p.source_due, "adjusted": p.adjusted, "reason": p.reason,
             "date_origin": p.date_origin, "holiday_policy": p.holiday_policy, "provisional": p.provisional, "status": "pending"}
            for n, p in enumerate(plan.stages)])
        connection.execute(insert(units), [
            {"cycle_id": cycle_id, "code": r["编码"], "name": r["名称"], "kind": r["类别"], "role": roles[r["角色"]],
             "township": r["乡镇"] or None, "region": None, "city": None, "county": None, "poor_township": r["贫困乡镇"] == "是",
             "sequence": None, "supervisor_code": r["上级"] or None, "credit_code": None,
             "contacts": {"email": r["邮箱"], "mobile": r["手机"]} if r["手机"] else {"email": r["邮箱"]}, "attributes": {}}
            for r in rows])
        ids = connection.execute(select(units.c.id, units.c.role).where(units.c.cycle_id == cycle_id)).all()
        owed = connection.execute(select(stages.c.id, stages.c.actor, stages.c.due_at)
                                  .where(stages.c.cycle_id == cycle_id, stages.c.actor.is_not(None), stages.c.kind != "rectification")).all()
        connection.execute(insert(obligations), [
            {"cycle_id": cycle_id, "stage_id": stage_id, "unit_id": unit_id, "due_at": due, "status": "pending", "created_at": now,
             "updated_at": now}
            for stage_id, actor, due in owed for unit_id, role in ids if role == actor])
        connection.execute(insert(AuditEntry.__table__).values(actor="bench", action="cycle.created", cycle_id=cycle_id, subject=KEY,
                                                               at=now, detail={"units": len(rows)}))
    total = time.perf_counter() - started
    return {"read": read, "create": total - read, "total": total, "cpu": time.process_time() - cpu, "peak": _peak_mb(),
            "added": _peak_mb() - base}


def _count(url: str) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        units = connection.execute(text("select count(*) from units")).scalar_one()
        obligations = connection.execute(text("select count(*) from obligations")).scalar_one()
    engine.dispose()
    return units, obligations


def in_process(function: object, *args: str) -> dict[str, float]:
    """Run ``function(*args)`` in a fresh interpreter and return what it reports."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Parse options, run both paths interleaved, print."""
    parser = argparse.ArgumentParser(description="kaohe 建周期基准：名册导入与建周期，对比原始 csv + Core executemany")
    parser.add_argument("--units", type=int, default=100_000, help="单位数（默认 100000）")
    parser.add_argument("--repeat", type=int, default=1, help="交替重复次数（默认 1）")
    args = parser.parse_args(argv)
    print(f"{args.units} 个单位，CPU {os.cpu_count()} 核，Python {sys.version.split()[0]}，负载 {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="kaohe-cycle-bench-") as workdir:
        roster = Path(workdir) / "roster.csv"
        write_roster(roster, args.units)
        results: dict[str, list[dict[str, float]]] = {"kaohe": [], "plain": []}
        for n in range(args.repeat):
            for name, function in (("kaohe", run_kaohe), ("plain", run_plain)):
                url = f"sqlite:///{Path(workdir) / f'{name}-{n}.db'}"
                figures = in_process(function, url, str(roster))
                units, obligations = _count(url)
                results[name].append(figures)
                label = "kaohe（read_roster + create_cycle）" if name == "kaohe" else "原始（csv + Core executemany）"
                print(f"[第{n + 1}次] {label}：读名册 {figures['read']:.2f} 秒，写库 {figures['create']:.2f} 秒，合计 {figures['total']:.2f} 秒（CPU {figures['cpu']:.2f} 秒）；"
                      f"峰值内存 {figures['peak']:.0f} MB（导入之外新增 {figures['added']:.0f} MB）；{units} 个单位，{obligations} 条应办事项",
                      flush=True)
            kaohe, plain = results["kaohe"][-1], results["plain"][-1]
            print(f"[第{n + 1}次] kaohe/原始：合计 {kaohe['total'] / plain['total']:.2f} 倍（CPU {kaohe['cpu'] / plain['cpu']:.2f} 倍），写库 {kaohe['create'] / plain['create']:.2f} 倍，"
                  f"读名册 {kaohe['read'] / plain['read']:.2f} 倍，峰值内存 {kaohe['peak'] / plain['peak']:.2f} 倍"
                  f"（新增部分 {kaohe['added'] / max(plain['added'], 1):.2f} 倍）", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
