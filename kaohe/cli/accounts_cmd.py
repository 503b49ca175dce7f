"""``kaohe accounts``: portal accounts from the roster or one by one, invitations, resets, API tokens."""

from __future__ import annotations

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.services import accounts as service
from kaohe.services import local_operator


@cli.group()
def accounts() -> None:
    """门户账号：从名册创建、邀请（一次性链接）、列出、重置、API 令牌。"""


@accounts.command("create")
@click.argument("name")
@click.option("--role", required=True, help="admin、coordinator、leader、unit、verifier、lead_assessor、evaluator")
@click.option("--unit", "unit_code", help="单位编码（unit、verifier 等角色必填）")
@click.option("--cycle", "cycles", multiple=True, help="只可处理这些考核周期（可多次；省略为全部）")
@click.option("--display-name", default="", help="显示名称")
@click.option("--email", help="邮箱")
@click.option("--actor", default="admin", show_default=True)
@json_option
def create(name: str, role: str, unit_code: str | None, cycles: tuple[str, ...], display_name: str, email: str | None,
           actor: str, as_json: bool) -> None:
    """创建账号并给出一次性邀请链接（7天内有效，首次登录时设置密码）。"""
    made = service.create_account(app_context(), service.CreateAccount(local_operator(actor), name, role, unit_code, cycles,
                                                                       display_name, email))
    if as_json:
        emit_json({"account": name, "role": role, "invitation": made.invitation})
        return
    click.echo(f"已创建账号 {name}（{role}）；邀请链接：{made.invitation}")


@accounts.command("from-roster")
@click.argument("cycle")
@click.option("--actor", default="admin", show_default=True)
@json_option
def from_roster(cycle: str, actor: str, as_json: bool) -> None:
    """为考核周期名册中尚无账号的每个单位创建账号（登录名即单位编码），并给出邀请链接。"""
    rows = [made.to_json() for made in service.accounts_from_roster(app_context(), service.AccountsFromRoster(local_operator(actor), cycle))]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        click.echo(f"{row['account']}\t{row['role']}\t{row['name']}\t{row['invitation']}")
    click.echo(f"共创建 {len(rows)} 个账号")


@accounts.command("invite")
@click.argument("name")
@click.option("--actor", default="admin", show_default=True)
@json_option
def invite_cmd(name: str, actor: str, as_json: bool) -> None:
    """给出新的一次性邀请链接（之前的链接作废）。"""
    link = service.invite_account(app_context(), service.InviteAccount(local_operator(actor), name))
    emit_json({"account": name, "invitation": link}) if as_json else click.echo(link)


@accounts.command("reset")
@click.argument("name")
@click.option("--actor", default="admin", show_default=True)
@json_option
def reset_cmd(name: str, actor: str, as_json: bool) -> None:
    """清除密码、解除锁定、结束所有会话，并给出新的邀请链接。"""
    link = service.invite_account(app_context(), service.InviteAccount(local_operator(actor), name, reset=True))
    emit_json({"account": name, "invitation": link}) if as_json else click.echo(f"已重置 {name}；邀请链接：{link}")


@accounts.command("list")
@json_option
def list_cmd(as_json: bool) -> None:
    """列出账号：角色、单位、状态、最近登录。"""
    from kaohe.services.queries import accounts as account_rows

    rows = account_rows(app_context())
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        state = "已锁定" if row["locked"] else "待激活" if not row["password_set"] else "正常"
        click.echo(f"{row['account']}\t{row['role']}\t{row['unit'] or '-'}\t{row['name']}\t{state}\t{row['last_login'] or '从未登录'}")


@accounts.command("token")
@click.argument("name")
@click.option("--label", required=True, help="用途，例如 第三方评估机构接口")
@click.option("--actor", default="admin", show_default=True)
def token_cmd(name: str, label: str, actor: str) -> None:
    """为账号签发 /api 令牌（只显示这一次）。"""
    click.echo(service.issue_api_token(app_context(), service.IssueApiToken(local_operator(actor), name, label)))
