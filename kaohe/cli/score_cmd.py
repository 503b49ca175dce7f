"""``kaohe score``: a what-if preview of a scheme's scoring on a score sheet, without a cycle (nothing stored or sent)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from kaohe.cli.app import cli, json_option, settings
from kaohe.cli.tables import print_table
from kaohe.errors import StateError
from kaohe.schemes.forms import Form
from kaohe.schemes.loader import find_scheme, load_scheme_file
from kaohe.scoring import ScoreReport, ScoringSpec, score_files
from kaohe.scoring.form_files import entered_notes, form_notes, merger, parse_form_options, read_forms

FILE = click.Path(path_type=Path, dir_okay=False)


def spec_for(scheme: str) -> tuple[ScoringSpec, dict[str, Form]]:
    """The scoring of a scheme id (in the schemes directory) or of a scheme file path, and its forms."""
    directory = settings().schemes_dir
    path = find_scheme(scheme, directory)
    loaded = load_scheme_file(path, search=(directory,))
    spec = loaded.scoring_spec
    if spec is None:
        raise StateError(f"方案 {scheme} 未规定计分公式（scoring: null），不能试算；该方案的结果由考核组按办法综合评定")
    return spec, dict(loaded.forms)


def preview_rows(report: ScoreReport) -> list[tuple[object, ...]]:
    """One table row per unit: group, rank, code, name, total, grade, selections."""
    return [
        (r.group_name, r.rank, r.unit, r.name, format(r.total, "f"), r.grade,
         "、".join(report.selection_names[s] for s in r.selections()) or None)
        for r in report.results
    ]


def echo_json(report: ScoreReport, *, explain: bool) -> None:
    """Print the report's JSON (indented with the explanation, compact without) a thousand units at a
    time, so the explanation of 100,000 units is never all in memory."""
    batch: list[str] = []
    for piece in report.iter_json(explain=explain, indent=2 if explain else None):
        batch.append(piece)
        if len(batch) >= 1000:
            click.echo("".join(batch), nl=False)
            batch.clear()
    click.echo("".join(batch))


@cli.command("score")
@click.argument("scheme")
@click.option("--input", "sheet", type=FILE, required=True, help="评分表（CSV 或 XLSX；kaohe 方案的 scoring 分项为列）")
@click.option("--previous", type=FILE, help="上年考核结果（单位代码及各选取结果 是/否），用于连续两年的规定")
@click.option("--explain", is_flag=True, help="JSON 中附每个单位的完整得分说明（分项、加减分、等次、名额、并列、选取）")
@click.option("--form", "forms", multiple=True, metavar="分项=文件",
              help="由表单文件折算某分项得分（如 指标考核=附件1指标表.xlsx、总结测评=民主测评票.csv）；可重复")
@json_option
def score_command(scheme: str, sheet: Path, previous: Path | None, forms: tuple[str, ...], explain: bool, as_json: bool) -> None:
    """试算：按方案的计分规则计算评分表中各单位的总分、等次和排名（不建周期，不保存，不通知）。"""
    spec, declared = spec_for(scheme)
    pairs, malformed = parse_form_options(forms)
    read = read_forms(spec, declared, pairs, malformed)
    report = score_files(spec, sheet, previous, merge=merger(read, str(sheet)))
    report = replace(report, notes=report.notes + form_notes(read) + entered_notes(spec, declared))
    if as_json:
        echo_json(report, explain=explain)
        return
    print_table(f"{scheme} 试算结果（{sheet.name}）", ["分组", "排名", "单位代码", "单位名称", "总分", "等次", "选取"], preview_rows(report))
    for note in report.notes:
        click.echo(f"说明：{note}")
    click.echo("试算结果未保存，也未通知任何单位；各单位得分明细见 --json --explain 的 explanation。")
