"""``kaohe sample``: draw a sampling stage's units (seed hash first if wanted) and verify a draw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.tables import print_table
from kaohe.errors import InputError, Problem
from kaohe.sampling import VerifyReport
from kaohe.sampling.units import parse_exclusions
from kaohe.services import local_operator
from kaohe.services.sampling import DrawSample, VerifySample, draw_sample, verify_sample

METHOD_NAMES = {"all": "全覆盖", "random": "随机抽取", "random_within_drawn": "在已抽中单位内随机"}


@cli.group()
def sample() -> None:
    """抽样：公布种子哈希、按方案规则随机抽取、复核抽样记录。"""


def parse_rule_option(text: str | None) -> dict[str, Any] | None:
    """``--rule`` as a JSON object."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise InputError(Problem("应为 JSON 对象，如 {\"rule\": \"proportion_stratified\", \"proportion\": \"0.2\"}", field="--rule")) from None
    if not isinstance(value, dict):
        raise InputError(Problem("应为 JSON 对象", field="--rule"))
    return value


@sample.command("draw")
@click.argument("cycle")
@click.option("--stage", required=True, help="抽样阶段 id")
@click.option("--seed-hash-only", is_flag=True, help="只生成种子并公布其哈希（及输入哈希），稍后再抽取")
@click.option("--exclude", "excludes", multiple=True, metavar="CODE:REASON", help="抽取前排除的单位及理由（可多次）")
@click.option("--rule", help="方案未规定抽样规则时指定（JSON），如 {\"rule\": \"proportion_stratified\", \"proportion\": \"0.2\"}")
@click.option("--by", default="coordinator", show_default=True, help="操作人（记入审计日志）")
@json_option
def draw(cycle: str, stage: str, seed_hash_only: bool, excludes: tuple[str, ...], rule: str | None, by: str, as_json: bool) -> None:
    """按方案的抽样规则从本周期名单中随机抽取；抽中单位收到通知；结果可复核、不可重抽。"""
    result = draw_sample(app_context(), DrawSample(local_operator(by), cycle, stage, seed_hash_only, parse_rule_option(rule),
                                                   tuple(parse_exclusions(excludes, field="--exclude")))).to_json()
    if as_json:
        emit_json(result)
        return
    if not result["drawn"]:
        click.echo(f"已公布 {cycle} 阶段 {stage} 的种子哈希：{result['seed_hash']}")
        click.echo(f"输入哈希（规则、候选名单、排除名单）：{result['inputs_hash']}")
        click.echo(f"抽取时运行：kaohe sample draw {cycle} --stage {stage}")
        return
    print_table(f"{cycle} 阶段 {stage} 抽样结果", ["层", "方式", "应抽", "总体", "排除", "抽中"], [
        (" / ".join(s["stratum"]) or "全体", METHOD_NAMES.get(s["method"], s["method"]), s["wanted"], s["population"], "、".join(s["excluded"]) or None,
         "、".join(s["selected"]) or None) for s in result["strata"]
    ])
    for shortfall in result["shortfalls"]:
        click.echo(f"短缺：{shortfall['reason']}")
    click.echo(f"共抽中 {len(result['selected'])} 个单位；种子哈希 {result['seed_hash']}；记录哈希 {result['record_hash']}")
    click.echo(f"抽样记录：{result['record_file']}；已通知 {result['notifications']} 条")


@sample.command("verify")
@click.argument("cycle", required=False)
@click.option("--stage", help="抽样阶段 id（复核数据库中的记录）")
@click.option("--record", "record_file", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="复核一份抽样记录文件（JSON）")
@json_option
def verify(cycle: str | None, stage: str | None, record_file: Path | None, as_json: bool) -> None:
    """复算抽样：种子、抽中名单与记录哈希都一致才通过；被改动的记录不通过。"""
    if record_file is not None:
        if cycle or stage:
            raise InputError(Problem("--record 与 周期/--stage 只能择一", field="--record"))
        report = verify_sample(app_context(migrate=False), VerifySample(local_operator("kaohe"), record=_read_record(record_file)))
        where = str(record_file)
    else:
        if not (cycle and stage):
            raise InputError(Problem("请给出 周期 和 --stage，或用 --record 指定记录文件", field="--stage"))
        report = verify_sample(app_context(), VerifySample(local_operator("kaohe"), cycle, stage))
        where = f"{cycle} 阶段 {stage}"
    _report(report, where, as_json)


def _read_record(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(Problem(f"不是可读的 JSON 抽样记录：{error}", file=str(path))) from None


def _report(report: VerifyReport, where: str, as_json: bool) -> None:
    if as_json:
        emit_json({"target": where, "ok": report.ok, "discrepancies": list(report.discrepancies), "selected": list(report.selected)})
    elif report.ok:
        click.echo(f"{where}：{report.text()}")
    if not report.ok:
        raise InputError([Problem(f"复核未通过：{line}", file=where) for line in report.discrepancies])
