"""``kaohe proof``: the delivery record (催办记录) of a cycle, exported and verified."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.errors import InputError, StateError
from kaohe.services import local_operator


@cli.group()
def proof() -> None:
    """催办记录：每条提醒的渠道、入队与发送时间、对方服务器回复、单位打开链接与确认的时间，逐行哈希链接。"""


@proof.command("export")
@click.argument("cycle")
@click.option("--unit", default=None, help="只导出与该单位有关的记录")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件：.xlsx（含完整哈希链，可核验）或 .pdf（供打印存档）")
@json_option
def export(cycle: str, unit: str | None, output: Path, as_json: bool) -> None:
    """先把新发生的记录封存入账，再导出。"""
    from kaohe.proof import UNIT_MARK, export_pdf, export_xlsx
    from kaohe.services.proof import SealRecord, seal_record

    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise InputError(f"{output}：只能导出为 .xlsx 或 .pdf")
    record = seal_record(app_context(), SealRecord(local_operator("admin"), cycle, unit))
    title = f"催办记录 {cycle}" + (f"{UNIT_MARK}{unit}" if unit else "")
    (export_xlsx if suffix == ".xlsx" else export_pdf)(list(record.rows), output, title=title, head=record.head)
    if as_json:
        emit_json({"cycle": cycle, "unit": unit, "file": str(output), "rows": len(record.rows), "sealed": record.sealed,
                   "head": record.head})
        return
    click.echo(f"已导出 {len(record.rows)} 行到 {output}（本次新封存 {record.sealed} 行；末行哈希 {record.head}）")


@proof.command("verify")
@click.argument("cycle")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="核验导出的 XLSX 文件，而不是数据库中的记录")
@json_option
def verify(cycle: str, file: Path | None, as_json: bool) -> None:
    """重算哈希链：被修改或删除的行、与发件箱不一致的行都会列出；有问题时退出码非零。"""
    from kaohe.services.proof import verify_export, verify_record

    if file is not None:
        check, whole = verify_export(file)
        where = str(file) if whole else f"{file}（单位摘录：只能逐行核验，删行须对照数据库核验）"
    else:
        check = verify_record(app_context(), cycle)
        where = f"{cycle} 的数据库记录"
    if as_json:
        emit_json({"cycle": cycle, "source": where, "ok": check.ok, "rows": check.rows, "head": check.head, "problems": check.problems})
    elif check.ok:
        click.echo(f"{where}：{check.rows} 行，哈希链完整；末行哈希 {check.head}")
    if not check.ok:
        raise StateError(f"{where} 未通过核验：" + "；".join(check.problems[:5]) + (f"（共{len(check.problems)}处）" if len(check.problems) > 5 else ""))
