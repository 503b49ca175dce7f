"""``kaohe status``: where each stage of a cycle stands, or one unit's obligations and messages."""

from __future__ import annotations

import click

from kaohe.cli.app import cli, emit_json, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.clock import BEIJING, SystemClock
from kaohe.db import ensure_schema, session_scope
from kaohe.errors import NotFoundError
from kaohe.store.cycles import get_cycle, get_unit, list_cycles
from kaohe.store.status import cycle_status, unit_status

STATUS_NAMES = {"pending": "未开始", "open": "进行中", "closed": "已截止"}


@cli.command()
@click.argument("cycle", required=False)
@click.option("--unit", help="只看该单位的应办事项和收到的消息")
@json_option
def status(cycle: str | None, unit: str | None, as_json: bool) -> None:
    """各阶段应办、已办、逾期单位数与下一截止；或某单位的事项与消息。"""
    url = settings().effective_database_url
    ensure_schema(url)
    now = SystemClock().now()
    with session_scope(url) as session:
        if cycle is None:
            cycles = list_cycles(session)
            if not cycles:
                raise NotFoundError("还没有周期：先运行 kaohe cycle create")
            found = cycles[0]
        else:
            found = get_cycle(session, cycle)
        if unit:
            view = unit_status(session, found, get_unit(session, found, unit), now)
            if as_json:
                emit_json(view)
                return
            _print_unit(view)
            return
        stages = cycle_status(session, found, now)
        key = found.key
    if as_json:
        emit_json({"cycle": key, "stages": [s.to_json() for s in stages]})
        return
    print_table(f"周期 {key} 进度", ["阶段", "名称", "状态", "截止", "应办", "已办", "逾期", "待办", "下一截止", "发送失败"], [
        (s.stage, s.name, STATUS_NAMES.get(s.status, s.status), s.due.astimezone(BEIJING).strftime("%Y-%m-%d"),
         s.obliged, s.done, s.overdue, s.pending,
         s.next_deadline.astimezone(BEIJING).strftime("%Y-%m-%d") if s.next_deadline else None, s.failed_deliveries)
        for s in stages
    ])


def _print_unit(view: dict) -> None:  # type: ignore[type-arg]
    click.echo(f"{view['name']}（{view['unit']}），周期 {view['cycle']}")
    print_table("应办事项", ["阶段", "名称", "截止", "状态", "完成时间", "已延期"], [
        (o["stage"], o["name"], o["due"], o["status"], o["completed_at"], "是" if o["extended"] else "否") for o in view["obligations"]
    ])
    print_table("消息", ["阶段", "类型", "渠道", "状态", "计划发送", "已发送", "错误"], [
        (m["stage"], m["kind"], m["channel"], m["status"], m["send_after"], m["sent_at"], m["error"]) for m in view["messages"]
    ])
