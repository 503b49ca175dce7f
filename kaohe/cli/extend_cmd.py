"""``kaohe extend``: move a stage's deadline for everyone or for some units, and tell them."""

from __future__ import annotations

import datetime as dt

import click

from kaohe.cli.app import cli, emit_json, json_option, settings
from kaohe.clock import SystemClock
from kaohe.db import ensure_schema, session_scope
from kaohe.planning import end_of_day
from kaohe.store.cycles import get_cycle
from kaohe.store.obligations import extend as extend_deadline


@cli.command()
@click.argument("cycle")
@click.option("--stage", required=True, help="阶段 id")
@click.option("--to", "to", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="新的截止日（当日24时前）")
@click.option("--unit", "units", multiple=True, help="只为这些单位延期（可多次）；省略则整个阶段延期")
@click.option("--reason", required=True, help="变更理由（写入审计日志并告知单位）")
@click.option("--actor", default="coordinator", show_default=True)
@json_option
def extend(cycle: str, stage: str, to: dt.datetime, units: tuple[str, ...], reason: str, actor: str, as_json: bool) -> None:
    """变更截止日期：取消按旧日期安排的提醒，通知相关单位；之后运行 schedule-cycle 同步预定运行。"""
    url = settings().effective_database_url
    ensure_schema(url)
    new_due = end_of_day(to.date())
    with session_scope(url) as session:
        changed = extend_deadline(session, get_cycle(session, cycle), stage, new_due, unit_codes=list(units) or None,
                                  reason=reason, actor=actor, now=SystemClock().now())
        count = len(changed)
    if as_json:
        emit_json({"cycle": cycle, "stage": stage, "due": new_due.isoformat(), "obligations": count})
        return
    click.echo(f"已将 {cycle} 阶段 {stage} 的截止改为 {new_due:%Y-%m-%d} 24时前（{count} 项应办事项），已通知相关单位")
