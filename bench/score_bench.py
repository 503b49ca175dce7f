"""Scoring N units of the mile scheme from a CSV score sheet, beside a plain computation of the same results.

    .venv/bin/python bench/score_bench.py [--units N] [--repeat R]

Writes a mile score sheet of N units (groups of about 40 units by township, poor and non-poor, and the
fixed 非公企业 group), then runs, each in a fresh process, interleaved:

- **kaohe**: ``score_files`` (the sheet read and checked, every unit scored, graded, ranked, quotas and
  the 18 collectives applied) and the JSON that ``kaohe score --json`` prints (compact, no explanation),
  and once more with the full explanation (``--explain``);
- **plain**: the standard library's ``csv`` and ``decimal`` computing the same totals (base + fund bonus
  capped at 20, total capped at 120, ROUND_HALF_UP to 2 places), grades (gap policy lower), the
  excellence places per group, the 18 collectives, group and overall ranks, and the same compact JSON.

Both print a digest of (unit, total, grade, rank, overall rank, collective) so the figures are for the
same answers; each process reports seconds, CPU seconds (``getrusage``, steadier on a loaded machine) and
its peak memory (``ru_maxrss``). Both pause the cyclic garbage collector while they build (kaohe does it
in ``score_files``). Never asserts on time.
"""

from __future__ import annotations

import argparse
import csv
import gc
import hashlib
import io
import json
import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import ROUND_HALF_UP, Decimal
from multiprocessing import get_context
from pathlib import Path

HEADER = ["单位代码", "单位名称", "分组", "分组类型", "基础分", "资金投入加分"]
PLACES = {"贫困乡镇": 2, "非贫困乡镇": 1, "非公企业": 3}
KIND_ORDER = {"贫困乡镇": 0, "非贫困乡镇": 1, "非公企业": 2}


def write_sheet(path: Path, units: int) -> None:
    """A valid mile score sheet of ``units`` units with many ties (scores on a 0.5 grid)."""
    chance = random.Random(2018)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for n in range(units):
            if n % 50 == 0:
                group, kind = "非公企业", ""
            else:
                township = n // 40
                group, kind = f"乡镇{township:05d}", "贫困乡镇" if township % 3 == 0 else "非贫困乡镇"
            fund = "" if n % 4 == 0 else str(chance.randrange(0, 50) / 2)
            writer.writerow([f"U{n:06d}", f"单位{n:06d}", group, kind, str(chance.randrange(100, 201) / 2), fund])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _digest(rows: list[tuple[str, str, str | None, int, int | None, bool]]) -> str:
    return hashlib.sha256(json.dumps(sorted(rows), ensure_ascii=False).encode()).hexdigest()[:16]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_kaohe(sheet: str, explain: bool) -> dict[str, object]:
    """kaohe's path, as ``KAOHE_MAX_ROWS=… kaohe score mile --input SHEET --json [--explain]`` (the JSON
    printed as the command prints it, piece by piece, here into a byte counter)."""
    from kaohe.limits import Limits, use_limits
    from kaohe.schemes import load_spec
    from kaohe.scoring import score_files
    from kaohe.settings import PROJECT_ROOT

    use_limits(Limits(max_rows=10**7))
    spec = load_spec("mile", PROJECT_ROOT / "schemes")
    assert spec is not None
    gc.collect()
    cpu = _cpu()
    started = time.perf_counter()
    report = score_files(spec, Path(sheet))
    scored = time.perf_counter() - started
    size = 0
    for piece in report.iter_json(explain=explain, indent=2 if explain else None):
        size += len(piece.encode())
    total = time.perf_counter() - started
    cpu = _cpu() - cpu
    digest = _digest([(r.unit, format(r.total, "f"), r.grade, r.rank, r.overall_rank, r.selected("advanced_collective"))
                      for r in report.results])
    return {"score": scored, "json": total - scored, "total": total, "cpu": cpu, "peak": _peak_mb(), "bytes": size, "digest": digest}


def run_plain(sheet: str) -> dict[str, object]:
    """The same results with csv and decimal alone (garbage collection paused while it builds, as kaohe does)."""
    gc.collect()
    cpu = _cpu()
    started = time.perf_counter()
    gc.disable()
    hundredth = Decimal("0.01")
    units = []
    with open(sheet, encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            base = Decimal(row["基础分"])
            fund = min(Decimal(row["资金投入加分"] or 0), Decimal(20))
            total = min(base + fund, Decimal(120)).quantize(hundredth, ROUND_HALF_UP)
            grade = "优秀" if total >= 90 else "良好" if total >= 80 else "合格" if total >= 70 else "不合格"
            kind = row["分组类型"] or "非公企业"
            units.append({"unit": row["单位代码"], "name": row["单位名称"], "group": row["分组"], "kind": kind, "total": total,
                          "grade": grade, "key": (-total, -base, row["单位代码"])})
    groups: dict[str, list[dict[str, object]]] = {}
    for unit in units:
        groups.setdefault(unit["group"], []).append(unit)  # type: ignore[arg-type]
    for members in groups.values():
        members.sort(key=lambda u: u["key"])  # type: ignore[arg-type,return-value]
        places = PLACES[members[0]["kind"]]  # type: ignore[index]
        for rank, unit in enumerate(members, 1):
            unit["rank"] = rank
            if unit["grade"] == "优秀":
                if places > 0:
                    places -= 1
                else:
                    unit["grade"] = "良好"
    everyone = sorted(units, key=lambda u: u["key"])  # type: ignore[arg-type,return-value]
    collectives = 18
    for rank, unit in enumerate(everyone, 1):
        unit["overall_rank"] = rank
        unit["collective"] = unit["grade"] == "优秀" and collectives > 0
        collectives -= bool(unit["collective"])
    gc.enable()
    scored = time.perf_counter() - started
    order = sorted(groups, key=lambda g: (KIND_ORDER[groups[g][0]["kind"]], groups[g][0]["kind"] != "非公企业", g))  # type: ignore[index]
    results = [{"unit": u["unit"], "name": u["name"], "total": format(u["total"], "f"), "grade": u["grade"], "rank": u["rank"],
                "group": u["group"]} for g in order for u in groups[g]]
    out = io.StringIO()
    json.dump({"scheme": "mile", "results": results}, out, ensure_ascii=False, separators=(",", ":"))
    total = time.perf_counter() - started
    cpu = _cpu() - cpu
    digest = _digest([(u["unit"], format(u["total"], "f"), u["grade"], u["rank"], u["overall_rank"], u["collective"])  # type: ignore[misc]
                      for u in units])
    return {"score": scored, "json": total - scored, "total": total, "cpu": cpu, "peak": _peak_mb(),
            "bytes": len(out.getvalue().encode()), "digest": digest}


def in_process(function: object, *args: object) -> dict[str, object]:
    """Run ``function(*args)`` in a fresh interpreter and return what it reports."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Parse options, run interleaved, print."""
    parser = argparse.ArgumentParser(description="kaohe 计分基准：对比原始 csv + decimal 计算同样的总分、等次、名额与排名")
    parser.add_argument("--units", type=int, default=100_000, help="单位数（默认 100000）")
    parser.add_argument("--repeat", type=int, default=1, help="交替重复次数（默认 1）")
    parser.add_argument("--no-explain", action="store_true", help="不测带完整说明的 JSON")
    args = parser.parse_args(argv)
    print(f"{args.units} 个单位（弥勒方案），CPU {os.cpu_count()} 核，Python {sys.version.split()[0]}，负载 {os.getloadavg()[0]:.1f}",
          flush=True)
    with tempfile.TemporaryDirectory(prefix="kaohe-score-bench-") as workdir:
        sheet = Path(workdir) / "scores.csv"
        write_sheet(sheet, args.units)
        for n in range(args.repeat):
            runs = [("kaohe（score_files + 紧凑 JSON）", run_kaohe, (str(sheet), False)), ("原始（csv + decimal）", run_plain, (str(sheet),))]
            if not args.no_explain:
                runs.append(("kaohe（--explain，完整说明 JSON）", run_kaohe, (str(sheet), True)))
            figures = {}
            for label, function, call in runs:
                result = in_process(function, *call)
                figures[label] = result
                print(f"[第{n + 1}次] {label}：计算 {result['score']:.2f} 秒，JSON {result['json']:.2f} 秒，合计 {result['total']:.2f} 秒（CPU {result['cpu']:.2f} 秒）；"
                      f"峰值内存 {result['peak']:.0f} MB；JSON {int(result['bytes']) / 2**20:.1f} MB；结果摘要 {result['digest']}", flush=True)
            kaohe, plain = figures[runs[0][0]], figures[runs[1][0]]
            same = "相同" if kaohe["digest"] == plain["digest"] else "不同！"
            print(f"[第{n + 1}次] kaohe/原始：合计 {float(kaohe['total']) / float(plain['total']):.2f} 倍，"  # type: ignore[arg-type]
                  f"CPU {float(kaohe['cpu']) / float(plain['cpu']):.2f} 倍，"  # type: ignore[arg-type]
                  f"峰值内存 {float(kaohe['peak']) / float(plain['peak']):.2f} 倍；结果{same}", flush=True)  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
