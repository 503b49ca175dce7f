"""``kaohe plan``: the dated timeline of a cycle, without touching the database."""

from __future__ import annotations

import datetime as dt

import click

from kaohe.cascade.tree import followed_parent_stage, plan_parent_dates
from kaohe.cli.app import calendar, cli, emit_json, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.cycleplan import plan_ancestors as ancestor_plans
from kaohe.cycleplan import plan_scheme
from kaohe.errors import InputError, Problem
from kaohe.planning import ParentDates, Plan
from kaohe.schemecache import cached_lineage, find_scheme
from kaohe.schemeshape import SchemeLike, StageLike

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


OUTSIDE_VALIDITY = click.option("--outside-validity", is_flag=True, help="考核年度不在方案有效期内时仍按本方案排期（显示警告）")


def build_plan(scheme: SchemeLike, year: int, policy: str | None, events: dict[str, dt.date],
               parent: ParentDates | None = None, *, outside_validity: bool = False) -> Plan:
    """Plan a cycle with the settings in force (``kaohe.services.cycles.plan_scheme``)."""
    return plan_scheme(scheme, year, calendar(), office_hours=settings().office_hours, policy=policy, events=events,
                       parent=parent, outside_validity=outside_validity)


def plan_ancestors(lineage: tuple[SchemeLike, ...], year: int) -> list[Plan]:
    """The parent, grandparent … of ``lineage[0]`` planned on their own for ``year``, parent first."""
    return ancestor_plans(lineage, year, calendar(), office_hours=settings().office_hours)


@cli.command()
@click.argument("scheme")
@click.option("--year", type=int, required=True, help="考核年度 Y（截止日期多在 Y+1 年）")
@click.option("--holiday-policy", type=POLICY_CHOICE, help="覆盖所有阶段的节假日规则")
@click.option("--event", "events", multiple=True, metavar="NAME=YYYY-MM-DD", help="设定方案中的事件日期，如 summary_meeting=2019-01-22")
@OUTSIDE_VALIDITY
@json_option
def plan(scheme: str, year: int, holiday_policy: str | None, events: tuple[str, ...], outside_validity: bool, as_json: bool) -> None:
    """显示某方案某年度的完整日程（阶段截止与提醒），不写数据库。"""
    lineage = scheme_lineage(scheme)
    loaded = lineage[0]
    ancestors = plan_ancestors(lineage, year)
    result = build_plan(loaded, year, holiday_policy, parse_events(events), plan_parent_dates(ancestors[0]) if ancestors else None,
                        outside_validity=outside_validity)
    if as_json:
        payload = result.to_json()
        if ancestors:
            payload["parent"] = ancestors[0].to_json()
        emit_json(payload)
        return
    show_plan(loaded, result)
    if ancestors:
        show_levels(lineage, [result, *ancestors])


def scheme_lineage(ref: str) -> tuple[SchemeLike, ...]:
    """The scheme ``ref`` (an id or a path) and its parent, grandparent …: compiled from the scheme cache when the
    files are unchanged since they loaded cleanly, else loaded and validated (and then cached)."""
    current = settings()
    directory, cache_dir = current.schemes_dir, current.home / "cache" / "schemes"
    path = find_scheme(ref, directory)
    cached = cached_lineage(path, (directory,), cache_dir)
    if cached is not None:
        return cached
    from kaohe.schemes.loader import load_scheme_chain

    return load_scheme_chain(path, search=(directory,), cache_dir=cache_dir)


def show_levels(lineage: tuple[SchemeLike, ...], plans: list[Plan]) -> None:
    """Each level's deadlines side by side: a child stage, then the parent stage it feeds or follows."""
    rows = []
    for stage in lineage[0].stages:
        row: list[object] = [stage.id, plans[0].stage(stage.id).due.strftime("%Y-%m-%d")]
        current: StageLike | None = stage
        for level in range(1, len(plans)):
            ref = followed_parent_stage(current)
            dates = plan_parent_dates(plans[level]).get(ref) if ref else None
            row += [ref, dates.due.isoformat() if dates else None]
            current = next((s for s in lineage[level].stages if s.id == ref), None) if ref and current is not None else None
            if current is None:
                row += [None, None] * (len(plans) - level - 1)
                break
        rows.append(tuple(row))
    headers = ["阶段", "本级截止"]
    for level in range(1, len(plans)):
        headers += [f"上{level}级阶段（{lineage[level].id}）", f"上{level}级截止"]
    print_table("各级截止日期对照", headers, rows)



def show_plan(scheme: SchemeLike, result: Plan) -> None:
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
    show_warnings(result)


def show_warnings(result: Plan) -> None:
    """The plan's warnings (a year outside the validity period, a meeting on a non-working day), on stderr."""
    for warning in result.warnings:
        click.echo(f"警告：{warning}", err=True)
