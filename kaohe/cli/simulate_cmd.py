"""``kaohe simulate``: a whole cycle on a simulated clock, through the real flows and channels."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from kaohe.cli.app import calendar, cli, emit_json, json_option, settings
from kaohe.cli.plan_cmd import POLICY_CHOICE, build_plan, parse_events
from kaohe.cli.tables import print_table
from kaohe.clock import BEIJING
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT

KIND_NAMES = {"dates_changed": "随上级调整", "change_ack": "请确认调整", "change_ack_reminder": "确认提醒", "stage_opened": "阶段开始", "upcoming": "临近截止", "due_today": "今日截止", "overdue": "逾期",
              "escalation": "逾期上报", "deadline_changed": "截止变更", "results": "结果", "rectification": "整改",
              "supervision_order": "督办单", "sample_drawn": "抽中通知", "order_feedback": "督办评分反馈"}
REVIEW_STATUS = {"sent": "已送评", "pending": "评估中", "partial": "部分收回", "complete": "全部收回"}
SAMPLE_ROSTERS = {"mile": "mile-roster.csv", "sichuan": "sichuan-roster.csv", "inner-mongolia-teams": "inner-mongolia-roster.csv"}


@cli.command()
@click.argument("scheme")
@click.option("--year", type=int, required=True, help="考核年度 Y")
@click.option("--roster", type=click.Path(path_type=Path, exists=True, dir_okay=False), help="名单（默认用 samples/ 中的示例名单）")
@click.option("--holiday-policy", type=POLICY_CHOICE, help="覆盖所有阶段的节假日规则")
@click.option("--event", "events", multiple=True, metavar="NAME=YYYY-MM-DD")
@click.option("--seed", default="kaohe", show_default=True, help="模拟单位行为的随机种子")
@click.option("--workdir", type=click.Path(path_type=Path, file_okay=False), help="模拟数据库、报送文件和结果文件所在目录（默认临时目录）")
@click.option("--cascade", is_flag=True, help="上下级联动（仅 sichuan）：省级周期下设两个市级周期，省里延期后逐级调整、通知、确认，市级结果报省汇总")
@json_option
def simulate(scheme: str, year: int, roster: Path | None, holiday_policy: str | None, events: tuple[str, ...],
             seed: str, workdir: Path | None, cascade: bool, as_json: bool) -> None:
    """在模拟时钟上运行整个考核周期：真实的流程、本地邮件与 Webhook 接收端和第三方评估端；模拟的单位、核查单位和联席办通过与 submit、verify、order、sample、rectify 命令相同的代码办理各项事务。"""
    from kaohe.simulate.runner import run_simulation

    if cascade:
        _cascade(scheme, year, roster, seed, workdir, as_json)
        return
    loaded = load_scheme(scheme, settings().schemes_dir)
    result_plan = build_plan(loaded, year, holiday_policy, parse_events(events), outside_validity=True)  # a what-if: warn only
    roster_path = roster or PROJECT_ROOT / "samples" / SAMPLE_ROSTERS.get(loaded.id, "mile-roster.csv")
    entries = read_roster(roster_path)
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)

    def progress(instant, done, total):  # type: ignore[no-untyped-def]
        if not as_json:
            click.echo(f"\r推进至 {instant.astimezone(BEIJING).strftime('%Y-%m-%d %H:%M')}（{done}/{total}）", nl=False, err=True)

    result = run_simulation(loaded, result_plan, entries, calendar(), seed=seed, workdir=workdir, progress=progress,
                            settings=settings())
    if as_json:
        emit_json(result.to_json())
        return
    click.echo("", err=True)
    report = result.to_json()
    print_table(f"模拟 {report['cycle']}：阶段变化", ["时间", "阶段", "事件"],
                [(e["at"][:16], e["stage"], "开始" if e["event"] == "opened" else "截止") for e in report["events"]])
    kinds = Counter((d["kind"], d["status"]) for d in report["deliveries"])
    print_table("消息", ["类型", "状态", "条数"], [(KIND_NAMES.get(k, k), s, n) for (k, s), n in sorted(kinds.items())])
    late = sum(1 for a in report["actions"] if a["act"] == "submit" and a["status"] == "done" and a.get("late_by_seconds"))
    handed = sum(1 for a in report["actions"] if a["act"] == "submit" and a["status"] == "done")
    refused = [a for a in report["actions"] if a["status"] != "done"]
    orders = report["orders"]
    click.echo(f"报送 {handed} 次（逾期 {late} 次，文件 {len(report['submissions'])} 个）；核实签字 {len(report['verifications'])} 个单位；"
               f"督办单 {len(orders)} 件（办结 {sum(1 for o in orders if o['status'] == 'closed')} 件）")
    for sample in report["samples"]:
        click.echo(f"抽样 {sample['stage']}：抽中 {len(sample['selected'])} 个单位")
    for review in report["reviews"]:
        click.echo(f"第三方评估 {review['stage']}：送评 {len(review['units'])} 个，收回 {len(review['received'])} 个（{REVIEW_STATUS.get(review['status'], review['status'])}）")
    for version in report["results"]:
        grades = "，".join(f"{g}{n}个" for g, n in version["grades"].items())
        click.echo(f"考核结果第{version['version']}版：{version['units']} 个单位{('，' + grades) if grades else ''}；"
                   f"须整改 {len(version['must_rectify'])} 个")
    if report["rectifications"]:
        reported = sum(1 for r in report["rectifications"] if r["completed_at"])
        click.echo(f"整改报告：收到 {reported} 份，未报 {len(report['rectifications']) - reported} 个单位")
    for action in refused:
        click.echo(f"未被接受：{action['at'][:16]} {action['act']} {action.get('unit', '')}：{action.get('error')}")
    click.echo(f"完成 {len(report['completions'])} 项；推进 {report['advances']} 次；"
               f"本地接收：邮件 {report['received']['email']} 封，Webhook/机器人 {report['received']['http']} 次；"
               f"数据库 {report['database']}")


def _cascade(scheme: str, year: int, roster: Path | None, seed: str, workdir: Path | None, as_json: bool) -> None:
    """``--cascade``: the province-and-cities scenario of kaohe.simulate.cascade."""
    from kaohe.errors import InputError
    from kaohe.schemes.loader import load_lineage
    from kaohe.simulate.cascade import CITY_SCHEME, run_cascade

    if scheme != "sichuan":
        raise InputError("--cascade 目前只有四川（sichuan）的示例：省级周期下设两个市（州）周期（第十二条）")
    lineage = load_lineage(str(CITY_SCHEME), settings().schemes_dir)
    if workdir:
        workdir.mkdir(parents=True, exist_ok=True)
    report = run_cascade(lineage, read_roster(roster or PROJECT_ROOT / "samples" / SAMPLE_ROSTERS["sichuan"]), year, calendar(),
                         seed=seed, workdir=workdir, settings=settings())
    if as_json:
        emit_json(report)
        return
    before = {(c["cycle"], s["stage"]): s["due"] for c in report["before"]["cycles"] for s in c["stages"]}
    print_table(f"上下级联动模拟：{report['province']} 与 {'、'.join(report['cities'])}", ["周期", "阶段", "原截止", "现截止", "上级阶段", "上级截止"], [
        ("　" * c["level"] + c["cycle"], s["stage"], before.get((c["cycle"], s["stage"])), s["due"], s["follows"], s["parent_due"])
        for c in report["after"]["cycles"] for s in c["stages"]
    ])
    print_table("通知", ["周期", "类型", "单位数"], [(n["cycle"], KIND_NAMES.get(n["kind"], n["kind"]), n["units"]) for n in report["notices"]])
    for ack in report["acknowledgements"]:
        click.echo(f"{ack['cycle']}：{ack['by']} 于 {ack['at'][:16]} 确认收悉")
    for child in report["province_result"]["children"]:
        click.echo(f"省级汇总第{report['province_result']['version']}版采用 {child['cycle']} 第{child['version']}版结果"
                   f"（{child['units']} 个县，发布人 {child['published_by']}）")
    click.echo(f"本地邮件接收端收到 {report['received']} 封；数据库 {report['database']}")
