"""Start-up time of the small commands (``kaohe schemes``, ``plan``, ``status``) beside plain interpreters.

    .venv/bin/python bench/startup_bench.py [--repeat R]

Runs, interleaved and R times each (the minimum counts: start-up has no useful average on a busy
machine), ``python -c pass``, a plain script that only imports the libraries every command needs
(click, pydantic-settings, PyYAML), and the three commands against a fresh KAOHE_HOME with the mile
sample cycle. Prints seconds and ratios; never asserts on time.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
KAOHE = str(Path(PYTHON).with_name("kaohe"))


def _seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, print."""
    parser = argparse.ArgumentParser(description="kaohe 小命令启动时间基准")
    parser.add_argument("--repeat", type=int, default=5, help="每条命令运行次数（取最小值，默认 5）")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kaohe-startup-") as home:
        env = {**os.environ, "KAOHE_HOME": home}
        env.pop("KAOHE_DATABASE_URL", None)
        subprocess.run([KAOHE, "cycle", "create", "mile", "--year", "2018", "--roster", "samples/mile-roster.csv"], env=env, check=True,
                       stdout=subprocess.DEVNULL, cwd=ROOT)
        runs = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "python 导入 click + pydantic_settings + yaml": [PYTHON, "-c", "import click, pydantic_settings, yaml"],
            "kaohe schemes": [KAOHE, "schemes"],
            "kaohe plan mile --year 2019": [KAOHE, "plan", "mile", "--year", "2019"],
            "kaohe status mile-2018": [KAOHE, "status", "mile-2018"],
        }
        best = {name: min(_seconds(command, env) for _ in range(1)) for name, command in runs.items()}
        for _ in range(args.repeat - 1):
            for name, command in runs.items():
                best[name] = min(best[name], _seconds(command, env))
    print(f"每条取 {args.repeat} 次中的最小值；负载 {os.getloadavg()[0]:.1f}", flush=True)
    floor = best["python -c pass"]
    for name, seconds in best.items():
        print(f"  {name}：{seconds:.3f} 秒（{seconds / floor:.1f} × python -c pass）", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
