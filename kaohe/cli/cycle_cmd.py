"""``kaohe cycle``: create a cycle from a scheme, a year and a roster; list cycles."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import cli, emit_json, json_option, settings, store_session
from kaohe.cli.plan_cmd import OUTSIDE_VALIDITY, POLICY_CHOICE, build_plan, parse_events, show_warnings
from kaohe.cli.tables import print_table
from kaohe.clock import SystemClock
from kaohe.db import ensure_schema, session_scope
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.store.cycles import create_cycle, list_cycles


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
@OUTSIDE_VALIDITY
@json_option
def create(scheme: str, year: int, roster: Path, key: str | None, holiday_policy: str | None,
           events: tuple[str, ...], actor: str, outside_validity: bool, as_json: bool) -> None:
    """按方案、年度和名单创建周期：阶段、单位与各单位应办事项。名单有任何错误行则不导入。"""
    conf = settings()
    loaded = load_scheme(scheme, conf.schemes_dir)
    result = build_plan(loaded, year, holiday_policy, parse_events(events), outside_validity=outside_validity)
    show_warnings(result)
    entries = read_roster(roster)
    url = conf.effective_database_url
    ensure_schema(url)
    with session_scope(url) as session:
        created = create_cycle(session, key=key or f"{loaded.id}-{year}", scheme=loaded, plan=result, roster=entries,
                               actor=actor, now=SystemClock().now(), holiday_policy=holiday_policy, office_hours=conf.office_hours)
        summary = {"cycle": created.key, "scheme": loaded.id, "year": year, "units": len(entries),
                   "stages": len(result.stages), "provisional": result.provisional, "warnings": list(result.warnings),
                   "database": _safe(url)}
    if as_json:
        emit_json(summary)
        return
    note = "（含暂定日期）" if result.provisional else ""
    click.echo(f"已创建周期 {summary['cycle']}：{len(entries)} 个单位，{len(result.stages)} 个阶段{note}")


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
