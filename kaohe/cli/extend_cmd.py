"""``kaohe extend``: move a stage's deadline for everyone or for some units, and tell them."""

from __future__ import annotations

import datetime as dt

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.clock import parse_instant
from kaohe.services import local_operator
from kaohe.services.deadlines import ExtendDeadline, extend_deadline


@cli.command()
@click.argument("cycle")
@click.option("--stage", required=True, help="阶段 id")
@click.option("--to", "to", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="新的截止日（当日24时前）")
@click.option("--unit", "units", multiple=True, help="只为这些单位延期（可多次）；省略则整个阶段延期")
@click.option("--reason", required=True, help="变更理由（写入审计日志并告知单位）")
@click.option("--actor", default="coordinator", show_default=True)
@click.option("--at", "at", metavar="ISO时间", help="变更时间（默认现在；新截止日不得早于此时）")
@json_option
def extend(cycle: str, stage: str, to: dt.datetime, units: tuple[str, ...], reason: str, actor: str, at: str | None,
           as_json: bool) -> None:
    """变更截止日期：取消按旧日期安排的提醒，通知相关单位；本周期及随之调整的下级周期的预定运行由安全网 advance-all-cycles 自动同步。"""
    when = parse_instant(at) if at else None
    result = extend_deadline(app_context(), ExtendDeadline(local_operator(actor), cycle, stage, to.date(), reason, units, when))
    new_due, count = result.due, result.obligations
    if as_json:
        emit_json(result.to_json())
        return
    verb = "提前至" if result.shortened else "延后至"
    told = f"（{count} 项应办事项），已通知相关单位" if count else "；没有未完成的应办事项，没有需要通知的单位"
    click.echo(f"已将 {cycle} 阶段 {stage} 的截止{verb} {new_due:%Y-%m-%d} 24时前{told}")
    for key, due in result.replanned.items():
        click.echo(f"  阶段 {key} 的日期由方案按本阶段计算，随之调整为 {due[:10]}")
