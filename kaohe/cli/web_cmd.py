"""``kaohe web``: the portal (FastAPI + Jinja2 + htmx) served by uvicorn, on 127.0.0.1 by default."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import click

from kaohe.cli.app import cli, settings
from kaohe.clock import SystemClock
from kaohe.settings import PROJECT_ROOT

DEMO_DIR = PROJECT_ROOT / ".kaohe" / "simulation"


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="监听端口")
@click.option("--demo", is_flag=True, help="打开 ./scripts/demo 模拟出的考核周期（.kaohe/simulation），并为每个角色创建演示账号、打印密码")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), help="与 --demo 一起：模拟数据所在目录（kaohe simulate --workdir 给的目录；默认 .kaohe/simulation）")
@click.option("--at", "at", help="门户的时钟从这一时刻起走（演示默认：模拟推进到的时刻），例如 2019-01-25T10:00")
def web(host: str, port: int, demo: bool, workdir: Path | None, at: str | None) -> None:
    """启动考核工作门户（浏览器访问）。"""
    import uvicorn

    from kaohe.clock import Clock, SystemClock, parse_instant
    from kaohe.errors import ConfigError
    from kaohe.web.app import create_app

    current = settings()
    if workdir is not None and not demo:
        raise ConfigError("--workdir 只与 --demo 一起使用（门户的数据目录由 KAOHE_HOME 设置）")
    if demo:
        folder = (workdir or DEMO_DIR).resolve()
        database = folder / "simulation.db"
        if not database.exists():
            raise ConfigError(f"没有找到模拟数据 {database}：请先运行 ./scripts/demo" + ("" if workdir is None else f"，或 kaohe simulate mile --year 2018 --workdir {workdir}"))
        current = current.model_copy(update={"home": folder, "database_url": f"sqlite:///{database}",
                                             "public_url": f"http://{host}:{port}"})
    start = parse_instant(at) if at else simulated_instant(current.effective_database_url) if demo else None
    clock: Clock = ShiftedClock(start) if start else SystemClock()
    app = create_app(current, clock=clock)
    if demo:
        for role, name, password in demo_accounts(current.effective_database_url):
            click.echo(f"演示账号  {role:<14} 登录名 {name:<12} 密码 {password}")
    if start:
        click.echo(f"门户时钟自 {start.isoformat()} 起走")
    click.echo(f"考核工作门户：http://{host}:{port}/ （Ctrl+C 停止）")
    uvicorn.run(app, host=host, port=port, log_level="warning")


class ShiftedClock:
    """The real clock moved so that it starts at ``start`` (the portal shows a past cycle as it was then)."""

    def __init__(self, start: dt.datetime) -> None:
        self._offset = start - SystemClock().now()

    def now(self) -> dt.datetime:
        """The shifted instant."""
        return SystemClock().now() + self._offset


def simulated_instant(url: str) -> dt.datetime | None:
    """The instant the newest cycle was advanced to (where the simulation stopped)."""
    from sqlalchemy import select

    from kaohe.db import session_scope
    from kaohe.models import Cycle

    with session_scope(url) as session:
        return session.scalars(select(Cycle.advanced_to).order_by(Cycle.id.desc())).first()


def demo_accounts(url: str) -> list[tuple[str, str, str]]:
    """An account per role on the newest cycle, each with a fresh random password set through the
    real invitation path; returns (role, login, password)."""
    from sqlalchemy import select

    from kaohe.accounts.service import accept_invitation, create_account, invite
    from kaohe.clock import SystemClock
    from kaohe.db import session_scope
    from kaohe.models import Account, Cycle, Unit

    now = SystemClock().now()
    made = []
    with session_scope(url) as session:
        cycle = session.scalars(select(Cycle).order_by(Cycle.id.desc())).first()
        units = {role: session.scalars(select(Unit.code).where(Unit.cycle_id == cycle.id, Unit.role == role).order_by(Unit.code)).first()
                 for role in ("assessed", "verifier", "lead_assessor", "third_party")} if cycle else {}
        wanted = [("admin", "demo-admin", None), ("coordinator", "demo-coord", None), ("leader", "demo-leader", None),
                  ("unit", units.get("assessed"), units.get("assessed")), ("verifier", units.get("verifier"), units.get("verifier")),
                  ("lead_assessor", "demo-lead", units.get("lead_assessor") or "lead"),
                  ("evaluator", "demo-evaluator", units.get("third_party") or "evaluator")]
        for role, name, unit in wanted:
            if not name:
                continue
            if session.scalar(select(Account).where(Account.name == name)) is None:
                create_account(session, name=name, role=role, unit_code=unit, display_name=f"演示{name}", by="demo", now=now)
            password = f"Kh{secrets.token_hex(5)}-{secrets.randbelow(90) + 10}"
            token = invite(session, name, by="demo", now=now)
            accept_invitation(session, token, password, now=now)
            made.append((role, name, password))
    return made


