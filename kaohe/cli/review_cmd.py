"""``kaohe review``: send a stage's sample to the third-party evaluator and collect its results."""

from __future__ import annotations

import asyncio

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.tables import print_table
from kaohe.services import local_operator
from kaohe.services.reviews import CollectReview, SendReview, collect_review, send_review


@cli.group()
def review() -> None:
    """第三方评估：送出抽样单位、收取评估结果（已收到的结果始终保留）。"""


@review.command("send")
@click.argument("cycle")
@click.option("--stage", required=True, help="第三方评估阶段 id")
@click.option("--sample-stage", help="送评的抽样阶段 id（本周期只有一个已抽取的抽样阶段时可省略）")
@click.option("--by", default="coordinator", show_default=True, help="操作人（记入审计日志）")
@json_option
def send(cycle: str, stage: str, sample_stage: str | None, by: str, as_json: bool) -> None:
    """把抽中单位送第三方评估（重复发送不会重复评估）。"""
    result = asyncio.run(send_review(app_context(), SendReview(local_operator(by), cycle, stage, sample_stage))).to_json()
    if as_json:
        emit_json(result)
        return
    again = "" if result["new"] else "（此前已发送，本次为重复发送）"
    click.echo(f"已将 {len(result['units'])} 个单位送第三方评估，评审编号 {result['review_id']}{again}")


@review.command("collect")
@click.argument("cycle")
@click.option("--stage", required=True, help="第三方评估阶段 id")
@click.option("--by", default="coordinator", show_default=True, help="操作人（记入审计日志）")
@json_option
def collect(cycle: str, stage: str, by: str, as_json: bool) -> None:
    """收取评估结果：合规的结果逐单位保存；答复有误或超时时，已收到的仍保留并报告问题。"""
    collected = asyncio.run(collect_review(app_context(), CollectReview(local_operator(by), cycle, stage)))
    summary = collected.summary
    if as_json:
        emit_json(summary)
    else:
        print_table(f"{cycle} 阶段 {stage} 第三方评估结果（{summary['status']}）", ["单位", "识别准确率", "退出准确率", "满意度", "问题数"], [
            (code, r["identification_accuracy"], r["exit_accuracy"], r["satisfaction"], len(r["findings"]))
            for code, r in sorted(summary["results"].items())
        ])
        if summary["missing"]:
            click.echo(f"尚无结果：{'、'.join(summary['missing'])}")
    if collected.error is not None:
        raise collected.error
