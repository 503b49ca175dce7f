"""``kaohe plan``: the dated timeline of a cycle, without touching the database."""

from __future__ import annotations

import datetime as dt

import click

from kaohe.cli.app import calendar, cli, emit_json, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.errors import InputError, Problem, SchemeError
from kaohe.planning import Plan, plan_cycle
from kaohe.schemes import load_scheme
from kaohe.schemes.model import Scheme

KIND_NAMES = {"stage_opened": "阶段开始", "upcoming": "临近截止", "due_today": "今日截止", "overdue": "逾期", "escalation": "逾期上报"}
POLICY_CHOICE = click.Choice(["keep", "next", "previous"])


def parse_events(values: tuple[str, ...]) -> dict[str, dt.date]:
    """``name=YYYY-MM-DD`` pairs from ``--event`` options."""
    events: dict[str, dt.date] = {}
    for value in values:
        name, sep, day = value.partition("=")
        try:
            events[name.strip()] = dt.date.fromisoformat(day.strip())
        except ValueError:
            raise InputError(Problem(f"{value!r} 应为 名称=YYYY-MM-DD", field="--event")) from None
        if not sep:
            raise InputError(Problem(f"{value!r} 应为 名称=YYYY-MM-DD", field="--event"))
    return events


def build_plan(scheme: Scheme, year: int, policy: str | None, events: dict[str, dt.date]) -> Plan:
    """Plan a cycle with the settings in force; an unknown event or unplannable date is a SchemeError."""
    unknown = sorted(set(events) - set(scheme.events))
    if unknown:
        raise InputError(Problem(f"方案 {scheme.id} 没有事件 {', '.join(unknown)}（可设：{', '.join(scheme.events) or '无'}）", field="--event"))
    try:
        return plan_cycle(scheme, year, calendar(), policy_override=policy, events=events,  # type: ignore[arg-type]
                          office_hours=settings().office_hours)
    except ValueError as error:
        raise SchemeError(Problem(str(error), field="stages")) from None


@cli.command()
@click.argument("scheme")
@click.option("--year", type=int, required=True, help="考核年度 Y（截止日期多在 Y+1 年）")
@click.option("--holiday-policy", type=POLICY_CHOICE, help="覆盖所有阶段的节假日规则")
@click.option("--event", "events", multiple=True, metavar="NAME=YYYY-MM-DD", help="设定方案中的事件日期，如 summary_meeting=2019-01-22")
@json_option
def plan(scheme: str, year: int, holiday_policy: str | None, events: tuple[str, ...], as_json: bool) -> None:
    """显示某方案某年度的完整日程（阶段截止与提醒），不写数据库。"""
    loaded = load_scheme(scheme, settings().schemes_dir)
    result = build_plan(loaded, year, holiday_policy, parse_events(events))
    if as_json:
        emit_json(result.to_json())
        return
    show_plan(loaded, result)


def show_plan(scheme: Scheme, result: Plan) -> None:
    """Print a plan as two tables and the notes a reader needs."""
    title = f"{scheme.name} · {result.year}年度考核日程"
    if result.provisional:
        title += "（含暂定日期：节假日安排尚未发布）"
    print_table(title, ["阶段", "名称", "截止（北京时间）", "原文日期", "调整说明", "日期来源", "条款"], [
        (s.id, s.name, s.due.strftime("%Y-%m-%d %a"), s.source_due, s.reason,
         "原文" if s.date_origin == "source" else "默认", s.clause)
        for s in result.stages
    ])
    print_table("提醒", ["时间", "阶段", "类型"], [
        (r.at.strftime("%Y-%m-%d %H:%M") + ("（暂定）" if r.provisional else ""), r.stage, KIND_NAMES[r.kind])
        for r in result.reminders
    ])
