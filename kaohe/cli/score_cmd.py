"""``kaohe score``: a what-if preview of a scheme's scoring on a score sheet, without a cycle (nothing stored or sent)."""

from __future__ import annotations

from pathlib import Path

import click

from kaohe.cli.app import cli, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.errors import StateError
from kaohe.scoring import ScoreReport, ScoringSpec, load_spec, score_files

FILE = click.Path(path_type=Path, dir_okay=False)


def spec_for(scheme: str) -> ScoringSpec:
    """The scoring of a scheme id (in the schemes directory) or of a scheme file path."""
    path = Path(scheme)
    spec = load_spec(path.stem, path.parent) if path.suffix in (".yaml", ".yml") else load_spec(scheme, settings().schemes_dir)
    if spec is None:
        raise StateError(f"方案 {scheme} 未规定计分公式（scoring: null），不能试算；该方案的结果由考核组按办法综合评定")
    return spec


def preview_rows(report: ScoreReport) -> list[tuple[object, ...]]:
    """One table row per unit: group, rank, code, name, total, grade, selections."""
    return [
        (r.group_name, r.rank, r.unit, r.name, format(r.total, "f"), r.grade,
         "、".join(d.name for d in r.decisions if d.selected) or None)
        for r in report.results
    ]


@cli.command("score")
@click.argument("scheme")
@click.option("--input", "sheet", type=FILE, required=True, help="评分表（CSV 或 XLSX；kaohe 方案的 scoring 分项为列）")
@click.option("--previous", type=FILE, help="上年考核结果（单位代码及各选取结果 是/否），用于连续两年的规定")
@click.option("--explain", is_flag=True, help="JSON 中附每个单位的完整得分说明（分项、加减分、等次、名额、并列、选取）")
@json_option
def score_command(scheme: str, sheet: Path, previous: Path | None, explain: bool, as_json: bool) -> None:
    """试算：按方案的计分规则计算评分表中各单位的总分、等次和排名（不建周期，不保存，不通知）。"""
    report = score_files(spec_for(scheme), sheet, previous)
    if as_json:
        click.echo(report.to_json(explain=explain, indent=2 if explain else None))
        return
    print_table(f"{scheme} 试算结果（{sheet.name}）", ["分组", "排名", "单位代码", "单位名称", "总分", "等次", "选取"], preview_rows(report))
    for note in report.notes:
        click.echo(f"说明：{note}")
    click.echo("试算结果未保存，也未通知任何单位；各单位得分明细见 --json --explain 的 explanation。")
