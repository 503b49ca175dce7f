"""``kaohe schemes``: list, show and validate scheme files."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import cli, emit_json, json_option, printable, settings
from kaohe.cli.tables import print_table
from kaohe.errors import KaoheError
from kaohe.schemecache import cached_summary, scheme_files


@cli.group(invoke_without_command=True)
@json_option
@click.pass_context
def schemes(ctx: click.Context, as_json: bool) -> None:
    """列出可用的考核方案。"""
    if ctx.invoked_subcommand is not None:
        return
    current = settings()
    directory, cache_dir = current.schemes_dir, current.home / "cache" / "schemes"
    loaded = []
    for path in scheme_files(directory):
        summary = cached_summary(path, (directory,), cache_dir)
        if summary is None:
            from kaohe.schemes.loader import load_scheme_chain, summary_of

            try:
                summary = summary_of(load_scheme_chain(path, search=(directory,), cache_dir=cache_dir)[0])
            except KaoheError as error:
                click.echo(f"警告：跳过无效的方案文件 {path.name}：{printable(str(error))}（用 kaohe schemes validate {path} 查看全部问题）", err=True)
                continue
        loaded.append(summary)
    if as_json:
        emit_json(loaded)
        return
    print_table("考核方案", ["id", "名称", "文号", "阶段数"], [(s["id"], s["name"], s["document"], s["stages"]) for s in loaded])


@schemes.command("show")
@click.argument("scheme")
@json_option
def show(scheme: str, as_json: bool) -> None:
    """显示一个方案的阶段、角色与待定事项。"""
    from kaohe.schemes import load_scheme
    from kaohe.schemes.model import ROLE_NAMES

    loaded = load_scheme(scheme, settings().schemes_dir)
    if as_json:
        emit_json(loaded.model_dump(mode="json"))
        return
    click.echo(f"{loaded.name}（{loaded.document}）\n考核对象：{loaded.assessed}\n节假日规则：{loaded.holiday_policy.default}（{loaded.holiday_policy.note}）")
    print_table("阶段", ["id", "名称", "承办", "开始", "截止", "来源", "条款"], [
        (s.id, s.name, loaded.roles.get(s.actor, ROLE_NAMES.get(s.actor, "")) if s.actor else None,
         s.opens.date if s.opens else None, s.due.date, "原文" if s.due.origin == "source" else "默认", s.clause)
        for s in loaded.stages
    ])
    for number, step in enumerate(loaded.approval.steps, start=1):
        click.echo(f"结果审定{number}：{step.body}{step.action}（{step.clause}，由 {step.role} 登记）")
    if loaded.approval.publicity_days:
        click.echo(f"公示：审定后公示{loaded.approval.publicity_days}个工作日（{loaded.approval.publicity_clause}）")
    for component, form in loaded.forms.items():
        click.echo(f"表单：{form.name}（{form.clause}）→ 计分分项 {component}")
    if loaded.constraints is not None:
        from kaohe.schemes.constraints import rule_text

        click.echo(f"约束指标：{rule_text(loaded.constraints)}")
    for point in loaded.open_points:
        click.echo(f"待定：{point}")


@schemes.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@json_option
def validate(path: Path, as_json: bool) -> None:
    """校验一个方案文件（例如县级实施方案）；有误时逐条指出文件、字段和原因。上级方案（parent）在同目录或方案目录中查找。"""
    from kaohe.schemes import load_scheme_file

    loaded = load_scheme_file(path, search=(settings().schemes_dir,))
    if as_json:
        emit_json({"file": str(path), "valid": True, "id": loaded.id, "stages": len(loaded.stages)})
        return
    click.echo(f"{path}：有效（方案 {loaded.id}，{len(loaded.stages)} 个阶段）")
