"""``kaohe constraints``: constraint indicators (约束指标, 鄂尔多斯 第六条（六）) scored as deductions from a sheet
of verified findings, by the rule the scheme states (a what-if: nothing stored or sent)."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import cli, emit_json, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.errors import StateError
from kaohe.schemes.constraints import rule_text
from kaohe.schemes.loader import load_scheme
from kaohe.scoring.constraint_files import read_constraints


@cli.command("constraints")
@click.argument("scheme")
@click.option("--input", "sheet", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="约束指标查实问题表（CSV 或 XLSX：单位代码、单位名称、类别，每项约束指标一列，填查实问题数）")
@json_option
def constraints_command(scheme: str, sheet: Path, as_json: bool) -> None:
    """按方案规定的约束指标扣分办法，计算各单位的约束指标扣分（试算，不保存）。"""
    loaded = load_scheme(scheme, settings().schemes_dir)
    rule = loaded.constraints
    if rule is None:
        raise StateError(f"方案 {loaded.id} 没有约束指标（constraints）")
    results = read_constraints(rule, sheet)
    if as_json:
        emit_json({"scheme": loaded.id, "rule": rule_text(rule), "points_per_finding": format(rule.points_per_finding, "f"),
                   "cap": None if rule.cap is None else format(rule.cap, "f"), "results": [r.to_json() for r in results]})
        return
    names = [i.name for i in rule.items]
    print_table(f"{loaded.id} 约束指标扣分（{sheet.name}）", ["单位代码", "单位名称", "类别", *names, "扣分"], [
        (r.unit, r.name, r.category, *(r.findings[n] for n in names), format(r.deduction, "f") + ("（已封顶）" if r.capped else ""))
        for r in results])
    click.echo(f"说明：{rule_text(rule)}")
