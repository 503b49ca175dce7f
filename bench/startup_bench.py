"""Start-up time of the small commands (``kaohe schemes``, ``plan``, ``status``) beside plain interpreters.

    .venv/bin/python bench/startup_bench.py [--repeat R]

Runs, interleaved and R times each (the minimum counts: start-up has no useful average on a busy
machine), ``python -c pass``, plain scripts that only import what the commands stand on (click; click and
rich, which prints the tables; click, rich and pendulum, which planning needs; pydantic's BaseModel, which
a scheme not yet cached needs; SQLAlchemy's ORM and kaohe's models, which status needs; kaohe's CLI module), and the
three commands against a fresh KAOHE_HOME with the mile sample cycle; ``kaohe schemes`` and ``plan`` also with a
new, empty KAOHE_HOME on every run (the scheme cache empty: every file loaded and checked, as before the cache). Every child writes and reads
bytecode in a temporary cache (``PYTHONPYCACHEPREFIX``; ``PYTHONDONTWRITEBYTECODE`` is removed), as an
installed kaohe has it, after one warm-up run. Prints the minimum wall seconds and the minimum CPU
seconds of the child (``getrusage``; on an idle machine start-up wall time is about its CPU time).
Never asserts on time.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
KAOHE = str(Path(PYTHON).with_name("kaohe"))


def _seconds(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _env_of(name: str, env: dict[str, str], home: str) -> dict[str, str]:
    """The child's environment: the uncached rows get a new, empty KAOHE_HOME (no scheme cache) each run."""
    if "无缓存" not in name:
        return env
    return {**env, "KAOHE_HOME": tempfile.mkdtemp(prefix="fresh-", dir=home)}


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, print."""
    parser = argparse.ArgumentParser(description="kaohe 小命令启动时间基准")
    parser.add_argument("--repeat", type=int, default=5, help="每条命令运行次数（取最小值，默认 5）")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kaohe-startup-") as home:
        env = {**os.environ, "KAOHE_HOME": home, "PYTHONPYCACHEPREFIX": str(Path(home) / "pycache")}
        env.pop("KAOHE_DATABASE_URL", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([KAOHE, "cycle", "create", "mile", "--year", "2018", "--roster", "samples/mile-roster.csv"], env=env, check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        runs = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "python 导入 click": [PYTHON, "-c", "import click"],
            "python 导入 click + rich 表格": [PYTHON, "-c", "import click, rich.console, rich.table"],
            "python 导入 click + rich 表格 + pendulum": [PYTHON, "-c", "import click, rich.console, rich.table, pendulum"],
            "python 导入 pydantic.BaseModel": [PYTHON, "-c", "from pydantic import BaseModel"],
            "python 导入 sqlalchemy.orm": [PYTHON, "-c", "import sqlalchemy.orm"],
            "python 导入 kaohe.models（SQLAlchemy ORM 模型）": [PYTHON, "-c", "import kaohe.models"],
            "python 导入 kaohe.cli.app": [PYTHON, "-c", "import kaohe.cli.app"],
            "kaohe schemes（无缓存：每次新的 KAOHE_HOME）": [KAOHE, "schemes"],
            "kaohe schemes": [KAOHE, "schemes"],
            "kaohe plan mile --year 2019（无缓存）": [KAOHE, "plan", "mile", "--year", "2019"],
            "kaohe plan mile --year 2019": [KAOHE, "plan", "mile", "--year", "2019"],
            "kaohe status mile-2018": [KAOHE, "status", "mile-2018"],
        }
        for name, command in runs.items():
            _seconds(command, _env_of(name, env, home))
        best = {name: (float("inf"), float("inf")) for name in runs}
        for _ in range(args.repeat):
            for name, command in runs.items():
                wall, cpu = _seconds(command, _env_of(name, env, home))
                best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    print(f"每条取 {args.repeat} 次中的最小值（已有字节码缓存）；负载 {os.getloadavg()[0]:.1f}", flush=True)
    floor = best["python -c pass"][0]
    for name, (wall, cpu) in best.items():
        print(f"  {name}：{wall:.3f} 秒（{wall / floor:.1f} × python -c pass），CPU {cpu:.3f} 秒", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
