"""``kaohe special``: special verification (专项核查, 鄂尔多斯 第八条（三）) scored per unit, each unit told at once (第十条)."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.services import local_operator
from kaohe.services.special import ScoreSpecialVerification, score_special_verification
from kaohe.services.uploads import Upload


@cli.group()
def special() -> None:
    """专项核查：按期次记录各单位得分，并即时反馈被考核单位。"""


@special.command("score")
@click.argument("cycle")
@click.option("--stage", required=True, help="专项核查阶段（如 special_verification_1）")
@click.option("--scores", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="专项核查评分表（CSV 或 XLSX：单位代码、得分（百分制），可有 存在问题、改进建议）")
@click.option("--by", required=True, help="评分人（记入审计日志）")
@json_option
def score(cycle: str, stage: str, scores: Path, by: str, as_json: bool) -> None:
    """记录一期专项核查的得分，并向每个被评分单位即时反馈（同一评分不重复发送；改分则发更正）。"""
    command = ScoreSpecialVerification(local_operator(by), cycle, stage, Upload.read(scores, "专项核查评分表"))
    payload = score_special_verification(app_context(), command).to_json()
    if as_json:
        emit_json(payload)
        return
    click.echo(f"“{stage}”已记录 {len(payload['scored'])} 个单位的得分，即时反馈 {payload['messages']} 条消息"
               + (f"（更正：{'、'.join(payload['corrections'])}）" if payload["corrections"] else ""))
    if payload["not_yet_scored"]:
        click.echo(f"尚未评分：{'、'.join(payload['not_yet_scored'])}（考核办仍会收到“即时反馈”阶段的提醒）")
