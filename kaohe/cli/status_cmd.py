"""``kaohe status``: where each stage of a cycle stands, or one unit's obligations and messages."""

from __future__ import annotations

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.tables import print_table
from kaohe.clock import BEIJING
from kaohe.services.queries import status as status_view

STATUS_NAMES = {"pending": "未开始", "open": "进行中", "closed": "已截止"}


@cli.command()
@click.argument("cycle", required=False)
@click.option("--unit", help="只看该单位的应办事项和收到的消息")
@click.option("--tree", is_flag=True, help="显示本周期所在的上下级周期树，各级截止日期并列，以及未确认的日程调整")
@json_option
def status(cycle: str | None, unit: str | None, tree: bool, as_json: bool) -> None:
    """各阶段应办、已办、逾期单位数与下一截止；或某单位的事项与消息；或上下级周期树。"""
    view = status_view(app_context(), cycle, unit=unit, tree=tree)
    if as_json:
        emit_json({"cycle": view["cycle"], "stages": [s.to_json() for s in view["stages"]]} if not (tree or unit) else view)
        return
    if tree:
        _print_tree(view)
        return
    if unit:
        _print_unit(view)
        return
    print_table(f"周期 {view['cycle']} 进度", ["阶段", "名称", "状态", "截止", "应办", "已办", "逾期", "待办", "下一截止", "发送失败"], [
        (s.stage, s.name, STATUS_NAMES.get(s.status, s.status), s.due.astimezone(BEIJING).strftime("%Y-%m-%d"),
         s.obliged, s.done, s.overdue, s.pending,
         s.next_deadline.astimezone(BEIJING).strftime("%Y-%m-%d") if s.next_deadline else None, s.failed_deliveries)
        for s in view["stages"]
    ])


def _print_unit(view: dict) -> None:  # type: ignore[type-arg]
    click.echo(f"{view['name']}（{view['unit']}），周期 {view['cycle']}")
    print_table("应办事项", ["阶段", "名称", "截止", "状态", "完成时间", "已延期"], [
        (o["stage"], o["name"], o["due"], o["status"], o["completed_at"], "是" if o["extended"] else "否") for o in view["obligations"]
    ])
    print_table("消息", ["阶段", "类型", "渠道", "状态", "计划发送", "已发送", "错误"], [
        (m["stage"], m["kind"], m["channel"], m["status"], m["send_after"], m["sent_at"], m["error"]) for m in view["messages"]
    ])


def _print_tree(view: dict) -> None:  # type: ignore[type-arg]
    rows = []
    for node in view["cycles"]:
        label = "　" * node["level"] + ("└ " if node["level"] else "") + node["cycle"]
        acks = f"{node['unacknowledged_changes']} 项待确认" if node["unacknowledged_changes"] else ""
        for index, stage in enumerate(node["stages"]):
            rows.append((label if index == 0 else "", stage["stage"], stage["due"] + ("（暂定）" if stage["provisional"] else ""),
                         stage["follows"], stage["parent_due"], acks if index == 0 else ""))
    print_table(f"周期树 {view['root']}（各级截止并列）", ["周期", "阶段", "截止", "上级阶段", "上级截止", "日程调整"], rows)
