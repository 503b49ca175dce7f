"""``kaohe simulate`` through Prefect beside the same simulation's work without Prefect, in the same run.

    .venv/bin/python bench/simulate_bench.py [--scheme mile] [--year 2018] [--repeat 1] [--prefect-home DIR]

Each run is a fresh process on a fresh PREFECT_HOME and work directory, interleaved (``--prefect-home``: the
runs through Prefect share that PREFECT_HOME, as a user's second simulation would, its database migrated by the
first run that used it):

- **kaohe**: ``kaohe simulate`` as a user runs it (the real flows and tasks, an ephemeral Prefect
  server started when the simulation opens its Prefect client, every flow and task run recorded);
- **plain**: the same command in a process where every Prefect flow and task of kaohe.flows and
  kaohe.tasks is replaced by the function it wraps (``.fn``) and the simulation's kept Prefect client
  (kaohe.flows.clients.kept_clients) by nothing: the same services, queries, messages, receivers and
  simulated participants, no Prefect run or client at all.

Both print the simulation's JSON; the bench checks that they did the same work (advances, completions,
deliveries by kind and status, actions) and prints wall seconds, CPU seconds of the child (with its own
children: the ephemeral server) and the ratio. Never asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PLAIN = """
import importlib, pkgutil, sys
import prefect
import kaohe.flows, kaohe.tasks
for package in (kaohe.flows, kaohe.tasks):
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
for name, module in list(sys.modules.items()):
    if name.startswith(("kaohe.flows", "kaohe.tasks")):
        for attribute, value in list(vars(module).items()):
            if isinstance(value, (prefect.Flow, prefect.Task)):
                setattr(module, attribute, value.fn)
import contextlib, kaohe.flows.clients, kaohe.flows.temporary_server
kaohe.flows.clients.kept_clients = contextlib.nullcontext  # no Prefect client either
kaohe.flows.temporary_server.temporary_server = lambda: contextlib.nullcontext(lambda: None)  # nor server
from kaohe.cli import main
sys.argv = ["kaohe", *sys.argv[1:]]
main()
"""


def run(plain: bool, scheme: str, year: int, prefect_home: Path | None = None) -> tuple[float, float, dict[str, Any]]:
    """One simulation in a fresh process; (wall seconds, CPU seconds of the child and its children, the JSON)."""
    with tempfile.TemporaryDirectory(prefix="kaohe-sim-bench-") as home:
        env = {**os.environ, "PREFECT_HOME": str(prefect_home or Path(home) / "prefect"), "KAOHE_HOME": str(Path(home) / "kaohe"),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
               "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "600"}  # a loaded machine starts the server slowly
        env.pop("PREFECT_API_URL", None)
        arguments = ["simulate", scheme, "--year", str(year), "--workdir", str(Path(home) / "work"), "--json"]
        command = [sys.executable, "-c", PLAIN, *arguments] if plain else [str(Path(sys.executable).with_name("kaohe")), *arguments]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{'plain' if plain else 'kaohe'} simulation failed:\n{done.stderr[-3000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return wall, cpu, json.loads(done.stdout)


def work(report: dict[str, Any]) -> dict[str, Any]:
    """What the simulation did, independent of how it was run."""
    return {
        "advances": report["advances"], "completions": len(report["completions"]),
        "deliveries": sorted(Counter((d["kind"], d["channel"], d["status"]) for d in report["deliveries"]).items()),
        "actions": sorted(Counter((a["act"], a["status"]) for a in report["actions"]).items()),
        "received": report["received"],
    }


def main() -> None:
    """Run, compare, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scheme", default="mile")
    parser.add_argument("--year", type=int, default=2018)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--prefect-home", type=Path, help="one PREFECT_HOME for every run through Prefect (default: a fresh one each)")
    args = parser.parse_args()
    print(f"kaohe simulate {args.scheme} --year {args.year}，负载 {os.getloadavg()[0]:.1f}，CPU {os.cpu_count()} 核", flush=True)
    for attempt in range(args.repeat):
        plain_wall, plain_cpu, plain = run(True, args.scheme, args.year)
        wall, cpu, kaohe = run(False, args.scheme, args.year, args.prefect_home)
        same = "相同" if work(plain) == work(kaohe) else f"不同：{work(kaohe)} / {work(plain)}"
        print(f"[{attempt + 1}] 经 Prefect：{wall:.1f} 秒（CPU {cpu:.1f} 秒）；不经 Prefect：{plain_wall:.1f} 秒（CPU {plain_cpu:.1f} 秒）；"
              f"比值 墙钟 {wall / plain_wall:.2f}，CPU {cpu / plain_cpu:.2f}；推进 {kaohe['advances']} 次；所做工作{same}", flush=True)


if __name__ == "__main__":
    main()
