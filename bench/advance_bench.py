"""The advance step for a cycle of many units when nothing is due, beside a plain query in the same run.

    .venv/bin/python bench/advance_bench.py [--units N] [--repeat R] [--no-flow]

Builds a mile-2018 cycle of N units (default 100000; two obligations each) in a SQLite file, brought to
a quiet instant (stages open, no wave, deadline or opening ahead within the hour). Then it times:
the advance logic exactly as the ``record-advance`` task runs it (load the snapshot, pure ``decide``,
``apply_decisions``, commit), once more through the real Prefect flow ``advance-cycle`` (record and
dispatch tasks, on a temporary Prefect server), and as a baseline a plain ``SELECT count(*)`` of the
cycle's obligations and a plain fetch of the same rows with their dates parsed. The garbage collector
runs before each measurement, outside the timed region (building the cycle leaves many objects behind).
Prints seconds and CPU seconds (``getrusage``: steadier on a loaded machine); never asserts on time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select, text

from kaohe.db import get_engine, session_scope, upgrade
from kaohe.engine.advance import decide
from kaohe.models import Obligation
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.store.advance import (
    apply_decisions,
    escalation_targets,
    obligation_states,
    stage_states,
)
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.workdays import load_calendar

KEY = "mile-2018-bench"
QUIET = dt.datetime(2018, 12, 10, 1, 0, tzinfo=dt.timezone.utc)
T = TypeVar("T")


def _timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build(url: str, units: int) -> None:
    """A cycle of ``units`` assessed units (and one coordinator), advanced to the quiet instant ``QUIET``."""
    upgrade(url)
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    roster = [RosterEntry(code=f"U{n:06d}", name=f"弥勒市挂包帮单位{n:06d}", role=Role.ASSESSED, supervisor="OFFICE",
                          contacts={"email": f"u{n:06d}@example.cn"}) for n in range(units)]
    roster.append(RosterEntry(code="OFFICE", name="弥勒市“挂包帮”“转走访”工作联席会议办公室", role=Role.COORDINATOR))
    with session_scope(url) as session:
        cycle = create_cycle(session, key=KEY, scheme=scheme, plan=plan_cycle(scheme, 2018, load_calendar()), roster=roster,
                             actor="bench", now=QUIET - dt.timedelta(days=20))
        for stage in cycle.stages:
            if (stage.opens_at is None or stage.opens_at <= QUIET) and stage.due_at >= QUIET:
                stage.status, stage.opened_at = "open", QUIET
        cycle.advanced_to = QUIET


def advance_once(url: str, now: dt.datetime) -> dict[str, float]:
    """The record-advance task's work at ``now``, phase by phase; raises if anything was due."""
    calendar = load_calendar()
    phases: dict[str, float] = {}
    gc.collect()
    cpu = _cpu()
    started = time.perf_counter()
    with session_scope(url) as session:
        phases["加载周期"], cycle = _timed(lambda: get_cycle(session, KEY))
        phases["加载快照"], snapshot = _timed(lambda: (stage_states(cycle), obligation_states(session, cycle, owing_only=True), escalation_targets(cycle)))
        stages, obligations, targets = snapshot
        phases["decide"], decisions = _timed(lambda: decide(stages, obligations, targets, calendar, since=cycle.advanced_to, now=now,
                                                            office_hours=cycle.office_hours))
        if not decisions.empty:
            raise SystemExit(f"该时刻并非无事可做：{decisions}")
        phases["apply_decisions"], _ = _timed(lambda: apply_decisions(session, cycle, decisions, now=now, actor="bench"))
    phases["合计（含提交）"] = time.perf_counter() - started
    phases["CPU"] = _cpu() - cpu
    return phases


def baseline(url: str) -> dict[str, float]:
    """Plain queries on the same database: count the obligations, and fetch the rows the snapshot loads
    (owed obligations with stage key, unit code, due date parsed to an aware datetime, status; and the
    units' code, role and supervisor)."""
    engine = get_engine(url)
    gc.collect()
    with engine.connect() as connection:
        cycle_id = connection.execute(text("select id from cycles where key = :key"), {"key": KEY}).scalar_one()
        count, _ = _timed(lambda: connection.execute(
            select(func.count()).select_from(Obligation).where(Obligation.cycle_id == cycle_id)).scalar_one())

        def fetch() -> object:
            utc = dt.timezone.utc
            rows = [(i, stage, unit, dt.datetime.fromisoformat(due).replace(tzinfo=utc), status) for i, stage, unit, due, status in
                    connection.exec_driver_sql(
                        "select o.id, s.key, u.code, o.due_at, o.status from obligations o join cycle_stages s on o.stage_id = s.id "
                        "join units u on o.unit_id = u.id where o.cycle_id = ? and o.status in ('pending', 'overdue')", (cycle_id,))]
            units = connection.exec_driver_sql("select code, role, supervisor_code from units where cycle_id = ?", (cycle_id,)).fetchall()
            return rows, units

        gc.collect()
        cpu = _cpu()
        fetched, _ = _timed(fetch)
        cpu = _cpu() - cpu
    return {"SELECT count(*)": count, "原始 SQL 取同样的行并解析日期": fetched, "CPU": cpu}


@contextmanager
def kaohe_environment(url: str, home: Path) -> Iterator[None]:
    """The flow run's context on ``url`` (installed, not read from KAOHE_*) and PREFECT_* variables for its
    temporary server, restored afterwards."""
    from kaohe.services import build_context, using
    from kaohe.settings import Settings

    values = {"PREFECT_HOME": str(home / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING"}
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        with using(build_context(Settings.builtin().replaced(database_url=url, home=home))):
            yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def through_flow(url: str, home: Path, instants: list[dt.datetime]) -> list[float]:
    """Seconds of each ``advance-cycle`` flow run at ``instants`` (a temporary Prefect server runs meanwhile)."""
    with kaohe_environment(url, home):
        from prefect.testing.utilities import prefect_test_harness

        from kaohe.flows.advance_cycle import advance_cycle

        with prefect_test_harness(server_startup_timeout=120):
            seconds = []
            for instant in instants:
                elapsed, result = _timed(lambda: asyncio.run(advance_cycle(KEY, as_of=instant)))  # noqa: B023
                if result.get("queued") or result.get("overdue") or result.get("opened_stages"):
                    raise SystemExit(f"流程在 {instant} 做了事：{result}")
                seconds.append(elapsed)
            return seconds


def main(argv: list[str] | None = None) -> int:
    """Parse options, build, measure, print."""
    parser = argparse.ArgumentParser(description="kaohe 推进步骤基准：无事到期时推进一个大周期")
    parser.add_argument("--units", type=int, default=100_000, help="单位数（默认 100000）")
    parser.add_argument("--repeat", type=int, default=3, help="每种测法重复次数（默认 3）")
    parser.add_argument("--no-flow", action="store_true", help="不经 Prefect 流程测")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kaohe-advance-bench-") as workdir:
        url = f"sqlite:///{Path(workdir) / 'advance.db'}"
        elapsed, _ = _timed(lambda: build(url, args.units))
        with session_scope(url) as session:
            obligations = session.scalar(select(func.count()).select_from(Obligation))
        print(f"周期 {KEY}：{args.units} 个单位，{obligations} 条应办事项；建库 {elapsed:.1f} 秒（CPU {os.cpu_count()} 核）", flush=True)
        instants = [QUIET + dt.timedelta(minutes=10 * (n + 1)) for n in range(2 * args.repeat)]
        for n in range(args.repeat):
            phases = advance_once(url, instants[n])
            base = baseline(url)
            print(f"[第{n + 1}次] 推进（decide + apply，同 record-advance 任务）："
                  + "，".join(f"{k} {v:.3f} 秒" for k, v in phases.items()), flush=True)
            print(f"[第{n + 1}次] 基线：" + "，".join(f"{k} {v:.3f} 秒" for k, v in base.items())
                  + f"；推进/取行基线 = {phases['合计（含提交）'] / base['原始 SQL 取同样的行并解析日期']:.2f} 倍"
                  f"（CPU {phases['CPU'] / base['CPU']:.2f} 倍），"
                  f"加载快照/取行基线 = {phases['加载快照'] / base['原始 SQL 取同样的行并解析日期']:.2f} 倍", flush=True)
        get_engine(url).dispose()
        if not args.no_flow:
            for n, seconds in enumerate(through_flow(url, Path(workdir), instants[args.repeat:]), 1):
                print(f"[Prefect 流程 advance-cycle 第{n}次] {seconds:.3f} 秒（含 record-advance 与 dispatch-outbox 两个任务）", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
