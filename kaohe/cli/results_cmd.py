"""``kaohe results``: aggregate, correct, show and send a cycle's results; ``kaohe rectify``: rectification
reports and their item-by-item review."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from kaohe.cli.app import app_context, cli, emit_json, json_option
from kaohe.cli.submit_cmd import FILE
from kaohe.cli.tables import print_table
from kaohe.clock import BEIJING, parse_instant
from kaohe.errors import ScoreSheetError
from kaohe.evidence.lateness import describe_lateness
from kaohe.results.rectify import RULE_NAMES, RULES
from kaohe.scoring.form_files import parse_form_options
from kaohe.services import local_operator, rectification
from kaohe.services.uploads import Upload
from kaohe.store.results import (
    ITEM_STATUS_NAMES,
    Review,
)

SOURCE = click.Path(path_type=Path, exists=True, dir_okay=False)
OBLIGATION_NAMES = {"pending": "待办", "done": "已报送", "overdue": "逾期", "waived": "已免除"}


@cli.group()
def results() -> None:
    """考核结果：汇总发布（更正另存新版本）、查看、发送结果通知。"""


@results.command("aggregate")
@click.argument("cycle")
@click.option("--input", "sheet", type=SOURCE, help="评分表：所列单位以此为准，未列单位按已签字的核实得分计算")
@click.option("--previous", type=SOURCE, help="上年考核结果文件（默认取同一方案上一年度周期的结果）")
@click.option("--reason", help="更正理由（已发布结果后再次汇总时必填）")
@click.option("--rule", type=click.Choice(RULES), help="整改认定规则（默认：有等次的方案取最低等次，否则取列出问题的单位）")
@click.option("--by", default="coordinator", show_default=True, help="发布人（记入审计日志）")
@click.option("--at", "at", metavar="ISO时间", help="发布时间（默认现在）")
@click.option("--number", help="文号，如 弥挂联办〔2019〕5号（默认 KAOHE_DOCUMENT_NUMBER，{year} 为发文年份）")
@click.option("--header", help="发文机关标志，如 弥勒市扶贫开发领导小组文件（默认 KAOHE_DOCUMENT_HEADER）")
@click.option("--form", "forms", multiple=True, metavar="分项=文件",
              help="由表单文件折算评分表中某分项得分（如 指标考核=附件1指标表.xlsx、总结测评=民主测评票.csv）；可重复，须同时给出 --input")
@json_option
def aggregate(cycle: str, sheet: Path | None, previous: Path | None, reason: str | None, rule: str | None, by: str,
              at: str | None, number: str | None, header: str | None, forms: tuple[str, ...], as_json: bool) -> None:
    """汇总计分并发布考核结果（反馈意见、考核报告、排名表），为须整改单位建立整改任务。"""
    from kaohe.services.aggregation import Aggregate
    from kaohe.services.aggregation import aggregate as run_aggregate

    pairs, malformed = parse_form_options(forms)
    if malformed:
        raise ScoreSheetError(malformed)
    outcome = run_aggregate(app_context(), Aggregate(local_operator(by), cycle, sheet, previous, reason, rule, number, header,
                                                     parse_instant(at), tuple(pairs))).to_json()
    if as_json:
        emit_json(outcome)
        return
    if outcome["unchanged"]:
        click.echo(f"汇总结果与第{outcome['version']}版相同，未发布新版本")
        return
    title = f"已发布 {cycle} 第{outcome['version']}版考核结果（{outcome['units']}个单位）"
    if outcome["supersedes"]:
        title += f"，更正第{outcome['supersedes']}版，结果变化的单位：{'、'.join(outcome['changed']) or '无'}"
    click.echo(title)
    click.echo("  数据来源：" + "，".join(f"{k}{v}个" for k, v in outcome["sources"].items()))
    if outcome["grades"]:
        click.echo("  等次：" + "，".join(f"{k}{v}个" for k, v in outcome["grades"].items()))
    click.echo(f"  整改：{RULE_NAMES[outcome['rule']]}；{'、'.join(outcome['must_rectify']) or '无'}")
    click.echo(f"  文件：{outcome['documents']}")
    if outcome["feedback_waiting"]:
        click.echo(f"  结果通报阶段已开始，本版结果尚未通知各单位：确认后运行 kaohe results feedback {cycle}")


@results.command("list")
@click.argument("cycle")
@json_option
def list_(cycle: str, as_json: bool) -> None:
    """列出已发布的各版考核结果（谁、何时、更正理由）。"""
    from kaohe.services.queries import result_versions

    rows = result_versions(app_context(), cycle)
    if as_json:
        emit_json(rows)
        return
    print_table(f"周期 {cycle} 考核结果版本", ["版本", "发布时间", "发布人", "更正理由", "结果通知"], [
        (r["version"], r["published_at"][:16], r["published_by"], r["reason"], (r["feedback_sent_at"] or "未发送")[:16]) for r in rows
    ])


@results.command("show")
@click.argument("cycle")
@click.option("--version", "number", type=int, help="版本号（默认现行版本）")
@json_option
def show(cycle: str, number: int | None, as_json: bool) -> None:
    """显示一版考核结果：各单位总分、等次、排名，是否须整改。"""
    from kaohe.services.queries import result_version

    payload = result_version(app_context(), cycle, number)
    if as_json:
        emit_json(payload)
        return
    print_table(f"周期 {cycle} 第{payload['version']}版考核结果", ["分组", "排名", "单位代码", "单位名称", "总分", "等次", "须整改", "较上版变化"], [
        (r["group"], r["rank"], r["unit"], r["name"], r["total"], r["grade"], "是" if r["must_rectify"] else "",
         None if payload["version"] == 1 else "是" if r["changed"] else "")
        for r in payload["results"]
    ])


@results.command("approve")
@click.argument("cycle")
@click.option("--step", help="审定步骤 id（默认：下一步；见 kaohe schemes show）")
@click.option("--by", required=True, help="记录审定的人（记入审计日志）")
@click.option("--note", default="", help="审定意见或会议纪要文号")
@json_option
def approve(cycle: str, step: str | None, by: str, note: str, as_json: bool) -> None:
    """记录现行版本考核结果的一步审定（按方案 approval 所列顺序）；全部审定（及公示期满）后方可通知各单位。"""
    from kaohe.services import local_operator
    from kaohe.services.approval import ApproveResults, approve_results

    done = approve_results(app_context(), ApproveResults(local_operator(by), cycle, step, note))
    if as_json:
        emit_json(done.to_json())
        return
    click.echo(f"已记录第{done.version}版考核结果：{done.body}{done.action}（{by}）")
    if done.remaining:
        click.echo(f"  尚待：{'、'.join(done.remaining)}")
    elif done.publicity_ends is not None:
        click.echo(f"  审定完毕；公示至 {done.publicity_ends.astimezone(BEIJING):%Y-%m-%d} 24时，期满后运行 kaohe results feedback {cycle}")
    else:
        click.echo(f"  审定完毕；运行 kaohe results feedback {cycle} 通知各单位")


@results.command("feedback")
@click.argument("cycle")
@click.option("--by", default="coordinator", show_default=True)
@json_option
def feedback(cycle: str, by: str, as_json: bool) -> None:
    """发送现行版本的结果通知（每版一次）及整改通知；消息由下一次推进或调度发出。"""
    from kaohe.services.aggregation import SendFeedback, send_feedback

    outcome = send_feedback(app_context(), SendFeedback(local_operator(by), cycle)).to_json()
    if as_json:
        emit_json(outcome)
        return
    if outcome["sent"]:
        click.echo(f"已排队发送第{outcome['version']}版考核结果通知 {outcome['messages']} 条；须整改单位：{'、'.join(outcome['rectifying']) or '无'}")
    else:
        click.echo(f"未发送：{outcome['reason']}")


class _SubmitByDefault(click.Group):
    """``kaohe rectify CYCLE …`` means ``kaohe rectify submit CYCLE …``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert ``submit`` when the first argument is not a subcommand."""
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["submit", *args]
        return super().parse_args(ctx, args)


@cli.group(cls=_SubmitByDefault)
def rectify() -> None:
    """整改：报送整改报告（kaohe rectify CYCLE --unit U --report FILE），逐项验收，查看整改情况。"""


@rectify.command("submit")
@click.argument("cycle")
@click.option("--unit", required=True, help="整改单位编码")
@click.option("--report", type=FILE, required=True, help="整改报告")
@click.option("--by", help="报送人（默认为单位编码）")
@click.option("--at", "at", metavar="ISO时间", help="补录纸质报送时填写实际收到时间（默认现在）")
@json_option
def submit(cycle: str, unit: str, report: Path, by: str | None, at: str | None, as_json: bool) -> None:
    """报送整改报告：保存为新版本，完成整改任务，各整改事项进入待验收。"""
    outcome = rectification.submit_report(app_context(), rectification.SubmitRectification(
        local_operator(by or unit), cycle, unit, Upload.read(report, "整改报告"), parse_instant(at) if at else None))
    if as_json:
        emit_json(outcome)
        return
    late = "（按时）" if not outcome["late_by_seconds"] else f"（{describe_lateness(outcome['late_by_seconds'])}）"
    click.echo(f"已收到 {unit} 的第 {outcome['version']} 版整改报告{late}；待验收事项：{'、'.join(map(str, outcome['items'])) or '无'}")



@rectify.command("review")
@click.argument("cycle")
@click.option("--unit", required=True, help="整改单位编码")
@click.option("--item", "item", type=int, required=True, help="整改事项序号（与反馈意见“存在问题”的序号一致）")
@click.option("--status", type=click.Choice(["accepted", "rejected"]), required=True, help="accepted 验收通过，rejected 退回")
@click.option("--by", required=True, help="验收人")
@click.option("--note", help="验收意见")
@click.option("--at", "at", metavar="ISO时间", help="验收时间（默认现在）")
@json_option
def review(cycle: str, unit: str, item: int, status: str, by: str, note: str | None, at: str | None, as_json: bool) -> None:
    """逐项验收整改：退回的事项重新打开整改任务（逾期则继续督办），全部通过即整改完成。"""
    outcome = Review(**rectification.review(app_context(), rectification.ReviewRectification(
        local_operator(by), cycle, unit, item, status, note, parse_instant(at) if at else None)))
    if as_json:
        emit_json(asdict(outcome))
        return
    verdict = "验收通过" if status == "accepted" else "退回重新整改"
    click.echo(f"{unit} 第 {item} 项（{outcome.text}）：{verdict}")
    if outcome.reopened:
        click.echo("  整改任务已重新打开，已通知该单位")
    if outcome.finished:
        click.echo("  全部整改事项已验收通过，整改完成")


@rectify.command("status")
@click.argument("cycle")
@click.option("--unit", help="只看该单位")
@json_option
def status(cycle: str, unit: str | None, as_json: bool) -> None:
    """各单位整改任务和整改事项的验收情况。"""
    from kaohe.services.queries import rectifications

    rows = rectifications(app_context(), cycle, unit)
    if as_json:
        emit_json(rows)
        return
    print_table(f"周期 {cycle} 整改情况", ["单位", "任务状态", "截止", "序号", "整改事项", "验收"], [
        (r["unit"], OBLIGATION_NAMES.get(r["obligation"], r["obligation"]), r["due"][:10], i["item"], i["text"], ITEM_STATUS_NAMES.get(i["status"], i["status"]))
        for r in rows for i in r["items"]
    ])
