"""``kaohe verify``: a verifier's item scores against a unit's self-scores, and the sign-off."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.tables import print_table
from kaohe.services import local_operator
from kaohe.services.uploads import Upload
from kaohe.services.verification import VerifyScores, verify_scores


@cli.command()
@click.argument("cycle")
@click.option("--unit", required=True, help="被核实单位编码")
@click.option("--scores", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True,
              help="核查评分表（CSV 或 XLSX，逐项核查分）")
@click.option("--by", required=True, help="核查人或核查单位编码")
@click.option("--sign-off", "signed", is_flag=True, help="同时签字确认（确认后不能再改）")
@json_option
def verify(cycle: str, unit: str, scores: Path, by: str, signed: bool, as_json: bool) -> None:
    """逐项核实自评分：记录核查分，列出与自评分不一致的指标；可签字确认。"""
    result = verify_scores(app_context(), VerifyScores(local_operator(by), cycle, unit, Upload.read(scores, "核查评分表"), signed))
    payload, name, completed = result.to_json(), result.unit_name, result.completed_stages
    if as_json:
        emit_json(payload)
        return
    print_table(f"{name}（{unit}）逐项核实", ["指标", "自评分", "核查分", "差额", "一致"], [
        (d["name"], d["self"], d["verified"], d["difference"], "否" if d["changed"] else "是") for d in payload["items"]
    ])
    click.echo(f"自评合计 {payload['self_total'] or '—'}，核查合计 {payload['verified_total']}，{payload['changed']} 项不一致")
    if signed:
        click.echo(f"已由 {by} 签字确认" + (f"；已完成阶段：{'、'.join(completed)}" if completed else ""))
