"""``kaohe calendar``: an iCalendar feed of a cycle's deadlines."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, write_output


@cli.command("calendar")
@click.argument("cycle")
@click.option("--ics", "as_ics", is_flag=True, required=True, help="输出 iCalendar（.ics）")
@click.option("--unit", help="只含该单位的截止日期")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="写入文件（默认输出到屏幕）")
def calendar_feed(cycle: str, as_ics: bool, unit: str | None, output: Path | None) -> None:
    """导出周期截止日期的日历订阅（含提醒），可导入 Outlook、手机日历等。"""
    from kaohe.services.queries import calendar_feed as feed

    data = feed(app_context(), cycle, unit)
    if output:
        write_output(output, data)
        click.echo(f"已写入 {output}")
    else:
        click.echo(data.decode("utf-8"), nl=False)
