"""``kaohe submit``: a unit hands in its report (and self-score table); ``kaohe submissions``: list, close."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.tables import print_table
from kaohe.clock import BEIJING, parse_instant
from kaohe.evidence.lateness import describe_lateness
from kaohe.services import local_operator
from kaohe.services.submissions import CloseSubmissions, Submit, close_stage_submissions
from kaohe.services.submissions import submit as submit_service
from kaohe.services.uploads import Upload

FILE = click.Path(path_type=Path, exists=True, dir_okay=False)
KIND_NAMES = {"report": "报告", "score_table": "自评表"}


@cli.command()
@click.argument("cycle")
@click.option("--unit", required=True, help="报送单位编码")
@click.option("--stage", required=True, help="阶段 id")
@click.option("--report", type=FILE, required=True, help="报告文件（自查报告、总结报告等）")
@click.option("--scores", type=FILE, help="自评表（CSV 或 XLSX，逐项自评分）")
@click.option("--by", help="报送人（记入审计日志；默认为单位编码）")
@click.option("--at", "at", metavar="ISO时间", help="补录纸质报送时填写实际收到时间（默认现在）")
@json_option
def submit(cycle: str, unit: str, stage: str, report: Path, scores: Path | None, by: str | None, at: str | None, as_json: bool) -> None:
    """报送材料：每次报送保存为新版本（含校验和），逾期报送照收并注明逾期时长；有误则一律不保存。"""
    command = Submit(local_operator(by or unit), cycle, unit, stage, Upload.read(report, "报告文件"),
                     Upload.read(scores, "自评表") if scores is not None else None, parse_instant(at) if at else None)
    result = submit_service(app_context(), command)
    if as_json:
        emit_json(result.to_json())
        return
    late = "（按时）" if not result.late_by_seconds else f"（{describe_lateness(result.late_by_seconds)}）"
    click.echo(f"已收到 {unit} 在阶段 {stage} 的第 {result.version} 版报送{late}")
    for item in result.files:
        click.echo(f"  {KIND_NAMES.get(item.kind, item.kind)}：{item.file_name}（{item.size} 字节，SHA-256 {item.sha256}）")
    if result.scores:
        click.echo(f"  自评分：{result.scores} 项")


@cli.group()
def submissions() -> None:
    """查看报送记录；截止某阶段的收件。"""


@submissions.command("list")
@click.argument("cycle")
@click.option("--unit", help="只看该单位")
@click.option("--stage", help="只看该阶段")
@json_option
def list_(cycle: str, unit: str | None, stage: str | None, as_json: bool) -> None:
    """列出报送的每个版本和文件。"""
    from kaohe.services.queries import list_submissions

    rows = list_submissions(app_context(), cycle, unit=unit, stage=stage)
    if as_json:
        emit_json(rows)
        return
    print_table(f"周期 {cycle} 报送记录", ["单位", "阶段", "版本", "类型", "文件", "报送时间", "是否逾期", "SHA-256"], [
        (r["unit"], r["stage"], r["version"], KIND_NAMES.get(r["kind"], r["kind"]), r["file"], r["submitted_at"][:16],
         describe_lateness(r["late_by_seconds"]), r["sha256"][:16] + "…") for r in rows
    ])


@submissions.command("close")
@click.argument("cycle")
@click.option("--stage", required=True, help="阶段 id")
@click.option("--by", required=True, help="截止收件的操作人")
@click.option("--reason", default="", help="说明（记入审计日志）")
@json_option
def close(cycle: str, stage: str, by: str, reason: str, as_json: bool) -> None:
    """截止某阶段收件：此后该阶段的报送（包括逾期报送）一律不再接受。"""
    closed = close_stage_submissions(app_context(), CloseSubmissions(local_operator(by), cycle, stage, reason))
    closed_at = closed.closed_at
    if as_json:
        emit_json(closed.to_json())
        return
    click.echo(f"已截止 {cycle} 阶段 {stage} 的收件（{closed_at.astimezone(BEIJING):%Y-%m-%d %H:%M}，{by}）")
