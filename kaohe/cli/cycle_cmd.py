"""``kaohe cycle``: create a cycle from a scheme, a year and a roster; list cycles."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cascade.levels import stored_parent_dates
from kaohe.cascade.tree import late_feeds, plan_parent_dates
from kaohe.cli.app import cli, emit_json, json_option, settings, store_session
from kaohe.cli.plan_cmd import OUTSIDE_VALIDITY, POLICY_CHOICE, build_plan, parse_events, plan_ancestors, show_warnings
from kaohe.cli.tables import print_table
from kaohe.clock import SystemClock
from kaohe.db import ensure_schema, session_scope
from kaohe.errors import Problem, SchemeError
from kaohe.planning import ParentDates
from kaohe.roster import read_roster
from kaohe.roster.coverage import missing_role_warnings
from kaohe.schemes.loader import load_lineage
from kaohe.store.cycles import NO_OBLIGATIONS_AT_START, create_cycle, get_cycle, list_cycles


@cli.group()
def cycle() -> None:
    """管理考核周期。"""


@cycle.command("create")
@click.argument("scheme")
@click.option("--year", type=int, required=True, help="考核年度 Y")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True, help="名单（CSV 或 XLSX）")
@click.option("--key", help="周期名称（默认 方案-年度，如 mile-2018）")
@click.option("--holiday-policy", type=POLICY_CHOICE, help="覆盖所有阶段的节假日规则")
@click.option("--event", "events", multiple=True, metavar="NAME=YYYY-MM-DD", help="设定方案中的事件日期")
@click.option("--actor", default="coordinator", show_default=True, help="记入审计日志的操作人")
@click.option("--parent", "parent_key", metavar="CYCLE", help="上级周期（如省级周期）：本周期日期随其调整，结果报送其汇总")
@click.option("--parent-unit", metavar="CODE", help="本级在上级周期名单中的单位编码（如市州编码）")
@OUTSIDE_VALIDITY
@json_option
def create(scheme: str, year: int, roster: Path, key: str | None, holiday_policy: str | None,
           events: tuple[str, ...], actor: str, parent_key: str | None, parent_unit: str | None,
           outside_validity: bool, as_json: bool) -> None:
    """按方案、年度和名单创建周期：阶段、单位与各单位应办事项。名单有任何错误行则不导入。"""
    conf = settings()
    lineage = load_lineage(scheme, conf.schemes_dir)
    loaded = lineage[0]
    entries = read_roster(roster)
    uncovered = missing_role_warnings(loaded, entries, NO_OBLIGATIONS_AT_START)
    for warning in uncovered:
        click.echo(f"警告：{warning}", err=True)
    url = conf.effective_database_url
    ensure_schema(url)
    with session_scope(url) as session:
        parent = get_cycle(session, parent_key) if parent_key else None
        above: ParentDates | None
        if parent is not None:
            above = stored_parent_dates(parent)
        else:
            ancestors = plan_ancestors(lineage, year)
            above = plan_parent_dates(ancestors[0]) if ancestors else None
        result = build_plan(loaded, year, holiday_policy, parse_events(events), above, outside_validity=outside_validity)
        show_warnings(result)
        late = late_feeds(loaded, result, above) if above is not None and loaded.parent else []
        if late:
            raise SchemeError([Problem(p, file=scheme, field="stages") for p in late])
        created = create_cycle(session, key=key or f"{loaded.id}-{year}", scheme=loaded, plan=result, roster=entries,
                               actor=actor, now=SystemClock().now(), holiday_policy=holiday_policy, office_hours=conf.office_hours,
                               parent=parent, parent_unit=parent_unit)
        summary = {"cycle": created.key, "scheme": loaded.id, "year": year, "units": len(entries),
                   "stages": len(result.stages), "provisional": result.provisional, "warnings": [*result.warnings, *uncovered],
                   "database": _safe(url), "parent": parent_key, "parent_unit": parent_unit}
    if as_json:
        emit_json(summary)
        return
    note = "（含暂定日期）" if result.provisional else ""
    under = f"，上级周期 {parent_key}" if parent_key else ""
    click.echo(f"已创建周期 {summary['cycle']}：{len(entries)} 个单位，{len(result.stages)} 个阶段{note}{under}")


def _safe(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cycle.command("list")
@json_option
def list_(as_json: bool) -> None:
    """列出所有周期。"""
    with store_session() as session:
        rows = [(c.key, c.scheme_id, c.year, len(c.units), c.status, c.provisional) for c in list_cycles(session)]
    if as_json:
        emit_json([dict(zip(["cycle", "scheme", "year", "units", "status", "provisional"], r, strict=True)) for r in rows])
        return
    print_table("周期", ["周期", "方案", "年度", "单位数", "状态", "暂定"], rows)


@cycle.command("replan")
@click.argument("cycles", nargs=-1)
@click.option("--reason", default="节假日安排更新", show_default=True, help="调整原因（告知各单位）")
@click.option("--actor", default="admin", show_default=True)
@json_option
def replan(cycles: tuple[str, ...], reason: str, actor: str, as_json: bool) -> None:
    """按当前节假日表（含 KAOHE_HOLIDAYS_FILE）重新计算在办周期及其下级周期的日期；只通知日期有变化的单位。

    不给周期名时处理所有在办周期。之后运行 schedule-cycle 同步预定运行。"""
    from kaohe.services import build_context, local_operator
    from kaohe.services.cascade import ReplanCycles, replan_cycles

    payload = replan_cycles(build_context(settings()), ReplanCycles(local_operator(actor), reason, tuple(cycles))).to_json()
    if as_json:
        emit_json(payload)
        return
    if not payload["moved"]:
        click.echo("各周期日期均无变化，未通知任何单位")
    for key, moves in payload["moved"].items():
        click.echo(f"{key}：" + "；".join(f"{m['stage']} {m['old_due']} → {m['new_due']}" for m in moves)
                   + f"（已通知 {len(payload['told'].get(key, []))} 个单位）")
    for key, problems in payload["late"].items():
        for problem in problems:
            click.echo(f"注意：{key} {problem}", err=True)


@cycle.command("ack")
@click.argument("cycle_key", metavar="CYCLE")
@click.option("--by", required=True, help="确认人（本级协调办公室的单位编码或账号）")
@click.option("--change", "change_id", type=int, help="只确认这一项日程调整（默认：全部待确认的）")
@click.option("--note", help="确认附言")
@json_option
def ack(cycle_key: str, by: str, change_id: int | None, note: str | None, as_json: bool) -> None:
    """确认收悉上级周期带来的日程调整（确认前每个工作日提醒一次）。"""
    from kaohe.services import build_context, local_operator
    from kaohe.services.cascade import AcknowledgeDateChanges, acknowledge_date_changes

    ids = acknowledge_date_changes(build_context(settings()), AcknowledgeDateChanges(local_operator(by), cycle_key, change_id, note))
    if as_json:
        emit_json({"cycle": cycle_key, "acknowledged": list(ids), "by": by})
        return
    click.echo(f"已确认 {cycle_key} 的日程调整 {', '.join(map(str, ids))}（确认人 {by}）")
