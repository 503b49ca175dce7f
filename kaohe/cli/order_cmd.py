"""``kaohe order``: supervision orders (督办单) — issue, close with evidence, score with immediate feedback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.tables import print_table
from kaohe.errors import InputError, Problem
from kaohe.evidence.orders import parse_scores
from kaohe.services import local_operator, orders
from kaohe.services.uploads import Upload

STATUS_NAMES = {"open": "办理中", "closed": "已办结"}


@cli.group()
def order() -> None:
    """督办单：下达、办结（附佐证材料）、专项核查评分即时反馈。"""


@order.command("issue")
@click.argument("cycle")
@click.option("--unit", required=True, help="督办对象单位编码")
@click.option("--issue", required=True, help="督办事项")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), required=True, help="办结时限（当日24时前）")
@click.option("--by", default="coordinator", show_default=True, help="下达人（记入审计日志）")
@json_option
def issue(cycle: str, unit: str, issue: str, due: dt.datetime, by: str, as_json: bool) -> None:
    """下达督办单：立即通知单位，并按方案的提醒方案安排到期前提醒、逾期提醒与上报。"""
    made = orders.issue(app_context(), orders.IssueOrder(local_operator(by), cycle, unit, issue, due.date()))
    payload = made.to_json()
    if as_json:
        emit_json(payload)
        return
    click.echo(f"已下达督办单{payload['order_no']}（第 {made.number} 号）给 {unit}，{due:%Y-%m-%d} 24时前办结；"
               f"已安排 {payload['messages']} 条通知与提醒")


@order.command("close")
@click.argument("cycle")
@click.option("--order", "number", type=int, required=True, help="督办单序号")
@click.option("--evidence", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True, help="办结佐证材料")
@click.option("--by", required=True, help="办结确认人")
@json_option
def close(cycle: str, number: int, evidence: Path, by: str, as_json: bool) -> None:
    """办结督办单：保存佐证材料（含校验和），取消尚未发出的提醒。"""
    command = orders.CloseOrder(local_operator(by), cycle, number, Upload.read(evidence, "佐证材料"))
    result = orders.close(app_context(), command).to_json()
    if as_json:
        emit_json(result)
        return
    click.echo(f"督办单{result['order_no']}已办结（{result['lateness']}），佐证材料 {result['evidence']['file']}"
               f"（SHA-256 {result['evidence']['sha256']}）")


@order.command("score")
@click.argument("cycle")
@click.option("--order", "number", type=int, required=True, help="督办单序号")
@click.option("--score", "scores", multiple=True, required=True, metavar="项目=分数", help="专项核查评分（可多次）")
@click.option("--note", help="评分意见")
@click.option("--by", required=True, help="评分人")
@json_option
def score(cycle: str, number: int, scores: tuple[str, ...], note: str | None, by: str, as_json: bool) -> None:
    """专项核查评分：记录各项得分，并立即向单位反馈（鄂尔多斯办法第十条“即时打分、即时反馈”）。"""
    try:
        parsed = parse_scores(scores)
    except ValueError as error:
        raise InputError(Problem(str(error), field="--score")) from None
    payload = orders.score(app_context(), orders.ScoreOrder(local_operator(by), cycle, number, parsed, note)).to_json()
    entry, queued = payload, payload["messages"]
    if as_json:
        emit_json(payload)
        return
    click.echo(f"督办单{payload['order_no']}核查评分合计 {entry['total']} 分，已即时反馈（{queued} 条消息）")


@order.command("list")
@click.argument("cycle")
@json_option
def list_(cycle: str, as_json: bool) -> None:
    """列出本周期的督办单。"""
    from kaohe.services.queries import list_orders

    rows = list_orders(app_context(), cycle)
    if as_json:
        emit_json(rows)
        return
    print_table(f"周期 {cycle} 督办单", ["序号", "编号", "单位", "督办事项", "时限", "状态", "签收", "回复", "最近评分"], [
        (r["order"], r["order_no"], r["unit"], r["issue"], r["due"][:10], STATUS_NAMES.get(r["status"], r["status"]),
         r["acknowledged_at"][:16] if r["acknowledged_at"] else "未签收", f"{len(r['replies'])} 条" if r["replies"] else None,
         r["scores"][-1]["total"] if r["scores"] else None) for r in rows
    ])
