"""``kaohe web``: the portal (FastAPI + Jinja2 + htmx) served by uvicorn, on 127.0.0.1 by default."""

from __future__ import annotations

import datetime as dt
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
    from kaohe.services import local_operator
    from kaohe.services.context import build_context
    from kaohe.services.demo import DemoAccounts, demo_accounts, simulated_instant
    from kaohe.web.app import create_app

    current = settings()
    if workdir is not None and not demo:
        raise ConfigError("--workdir 只与 --demo 一起使用（门户的数据目录由 KAOHE_HOME 设置）")
    if demo:
        folder = (workdir or DEMO_DIR).resolve()
        database = folder / "simulation.db"
        if not database.exists():
            raise ConfigError(f"没有找到模拟数据 {database}：请先运行 ./scripts/demo" + ("" if workdir is None else f"，或 kaohe simulate mile --year 2018 --workdir {workdir}"))
        current = current.replaced(home=folder, database_url=f"sqlite:///{database}", public_url=f"http://{host}:{port}")
    context = build_context(current) if demo else None
    start = parse_instant(at) if at else simulated_instant(context) if context is not None else None
    clock: Clock = ShiftedClock(start) if start else SystemClock()
    app = create_app(current, clock=clock)
    if context is not None:
        for made in demo_accounts(context, DemoAccounts(local_operator("demo"))):
            click.echo(f"演示账号  {made.role:<14} 登录名 {made.name:<12} 密码 {made.password}")
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
