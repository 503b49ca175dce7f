"""``kaohe cycle``: create a cycle from a scheme, a year and a roster; list cycles."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.plan_cmd import OUTSIDE_VALIDITY, POLICY_CHOICE, parse_events
from kaohe.cli.tables import print_table


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
    from kaohe.services import local_operator
    from kaohe.services.cycles import CreateCycle, create_cycle

    context = app_context()
    created = create_cycle(context, CreateCycle(local_operator(actor), scheme, year, roster, key, holiday_policy,  # type: ignore[arg-type]
                                                parse_events(events), parent_key, parent_unit, outside_validity))
    for warning in [*created.uncovered, *created.warnings]:
        click.echo(f"警告：{warning}", err=True)
    if as_json:
        emit_json({**created.to_json(), "database": _safe(context.database_url)})
        return
    note = "（含暂定日期）" if created.provisional else ""
    under = f"，上级周期 {parent_key}" if parent_key else ""
    click.echo(f"已创建周期 {created.cycle}：{created.units} 个单位，{created.stages} 个阶段{note}{under}")


def _safe(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@cycle.command("list")
@json_option
def list_(as_json: bool) -> None:
    """列出所有周期。"""
    from kaohe.services.queries import list_cycles

    rows = list_cycles(app_context())
    if as_json:
        emit_json(rows)
        return
    print_table("周期", ["周期", "方案", "年度", "单位数", "状态", "暂定"], [tuple(r.values()) for r in rows])


@cycle.command("replan")
@click.argument("cycles", nargs=-1)
@click.option("--reason", default="节假日安排更新", show_default=True, help="调整原因（告知各单位）")
@click.option("--actor", default="admin", show_default=True)
@json_option
def replan(cycles: tuple[str, ...], reason: str, actor: str, as_json: bool) -> None:
    """按当前节假日表（含 KAOHE_HOLIDAYS_FILE）重新计算在办周期及其下级周期的日期；只通知日期有变化的单位。

    不给周期名时处理所有在办周期。日期有变的周期（含下级周期）的预定运行由安全网 advance-all-cycles 下次运行时自动同步（schedule-cycle）。"""
    from kaohe.services import local_operator
    from kaohe.services.cascade import ReplanCycles, replan_cycles

    payload = replan_cycles(app_context(), ReplanCycles(local_operator(actor), reason, tuple(cycles))).to_json()
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
    from kaohe.services import local_operator
    from kaohe.services.cascade import AcknowledgeDateChanges, acknowledge_date_changes

    ids = acknowledge_date_changes(app_context(), AcknowledgeDateChanges(local_operator(by), cycle_key, change_id, note))
    if as_json:
        emit_json({"cycle": cycle_key, "acknowledged": list(ids), "by": by})
        return
    click.echo(f"已确认 {cycle_key} 的日程调整 {', '.join(map(str, ids))}（确认人 {by}）")


@cycle.command("import-roster")
@click.argument("cycle_key", metavar="CYCLE")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), required=True, help="名单（CSV 或 XLSX）")
@click.option("--actor", default="coordinator", show_default=True, help="记入审计日志的操作人")
@json_option
def import_roster_cmd(cycle_key: str, roster: Path, actor: str, as_json: bool) -> None:
    """向进行中的周期导入名单：新单位加入（承担尚未截止阶段的应办事项），已有单位更新名称、联系方式等；
    名单未列的单位保持不变。名单有任何错误行则不导入。"""
    from kaohe.services import local_operator
    from kaohe.services.roster import ImportRoster, import_roster

    done = import_roster(app_context(), ImportRoster(local_operator(actor), cycle_key, roster))
    if as_json:
        emit_json({"cycle": cycle_key, **done.to_json()})
        return
    click.echo(f"已导入 {cycle_key} 的名单：新增 {len(done.added)} 个单位（应办事项 {done.obligations} 项），"
               f"更新 {len(done.updated)} 个，未变 {done.unchanged} 个")
    from kaohe.roster.columns import FIELD_LABELS

    labels = {**FIELD_LABELS, "supervisor_code": "上级", "contacts": "联系方式", "attributes": "其他列"}
    for code, fields in done.updated.items():
        click.echo(f"  更新 {code}：{'、'.join(labels.get(f, f) for f in fields)}")
    if done.missing:
        click.echo(f"  名单未列（保持不变）：{'、'.join(done.missing)}")
