"""``kaohe verify``: a verifier's item scores against a unit's self-scores, and the sign-off."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import cli, emit_json, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.clock import SystemClock
from kaohe.db import ensure_schema, session_scope
from kaohe.evidence.indicators import indicators_for
from kaohe.evidence.score_table import parse_score_table
from kaohe.stagework.files import read_input
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.verification import record_verified_scores, sign_off


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
    url = settings().effective_database_url
    ensure_schema(url)
    data = read_input(scores, "核查评分表")
    now = SystemClock().now()
    with session_scope(url) as session:
        found = get_cycle(session, cycle)
        target = get_unit(session, found, unit)
        indicators = indicators_for(found.scheme_snapshot.get("scoring"), found.scheme_id, sequence=target.sequence, kind=target.kind)
        result = record_verified_scores(session, found, target, parse_score_table(data, scores.name, indicators), by=by, now=now)
        completed: list[str] = []
        if signed:
            _, completed = sign_off(session, found, target, by=by, now=now)
        name = target.name
    payload = {"cycle": cycle, "unit": unit, "verified_by": by, "signed_off": signed, "completed_stages": completed, **result.to_json()}
    if as_json:
        emit_json(payload)
        return
    print_table(f"{name}（{unit}）逐项核实", ["指标", "自评分", "核查分", "差额", "一致"], [
        (d["name"], d["self"], d["verified"], d["difference"], "否" if d["changed"] else "是") for d in payload["items"]
    ])
    click.echo(f"自评合计 {payload['self_total'] or '—'}，核查合计 {payload['verified_total']}，{payload['changed']} 项不一致")
    if signed:
        click.echo(f"已由 {by} 签字确认" + (f"；已完成阶段：{'、'.join(completed)}" if completed else ""))
