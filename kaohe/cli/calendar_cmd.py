"""``kaohe calendar``: an iCalendar feed of a cycle's deadlines."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import cli, store_session, write_output


@cli.command("calendar")
@click.argument("cycle")
@click.option("--ics", "as_ics", is_flag=True, required=True, help="输出 iCalendar（.ics）")
@click.option("--unit", help="只含该单位的截止日期")
@click.option("--output", "-o", type=click.Path(path_type=Path), help="写入文件（默认输出到屏幕）")
def calendar_feed(cycle: str, as_ics: bool, unit: str | None, output: Path | None) -> None:
    """导出周期截止日期的日历订阅（含提醒），可导入 Outlook、手机日历等。"""
    from kaohe.cli.app import settings
    from kaohe.ics import cycle_calendar
    from kaohe.notifications.links import signer_from_settings
    from kaohe.store.cycles import get_cycle

    link = signer_from_settings(settings()) if unit else None
    with store_session() as session:
        data = cycle_calendar(session, get_cycle(session, cycle), unit_code=unit, link=link)
    if output:
        write_output(output, data)
        click.echo(f"已写入 {output}")
    else:
        click.echo(data.decode("utf-8"), nl=False)
