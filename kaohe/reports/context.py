"""What the templates show: plain strings and rows computed from a ScoreReport (no I/O, no clock)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kaohe.scoring.numbers import exact_text, quantize
from kaohe.scoring.result import ScoreReport, UnitResult

if TYPE_CHECKING:
    from kaohe.schemes import Scheme

DOCUMENT_NUMBER = re.compile(r"\S+〔\d{4}〕\d+号")


@dataclass(frozen=True)
class ReportMeta:
    """What a document says about itself: year assessed, title, basis, who issues it and when."""

    year: int
    title: str
    issuer: str
    issued: dt.date
    basis: str | None = None
    number: str | None = None
    header: str | None = None

    @property
    def issued_text(self) -> str:
        """The issue date as official documents write it: 二〇一九年三月七日."""
        return chinese_date(self.issued)


def chinese_date(day: dt.date) -> str:
    """2019-01-23 → 二〇一九年一月二十三日 (the form of a 公文's 成文日期)."""
    year = "".join(_YEAR_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_small_number(day.month)}月{_small_number(day.day)}日"


_YEAR_DIGITS = "〇一二三四五六七八九"


def _small_number(value: int) -> str:
    tens, ones = divmod(value, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _YEAR_DIGITS[tens] + "十")
    return head + (_YEAR_DIGITS[ones] if ones or not tens else "")


def name_list(names: list[str]) -> str:
    """Unit names joined with 、; when a name itself contains 、, every name is quoted so the list stays unambiguous."""
    if any("、" in name for name in names):
        return "、".join(f"“{name}”" for name in names)
    return "、".join(names)


def document_number(template: str | None, issued: dt.date) -> str | None:
    """The 文号 from its template: ``{year}`` becomes the issue year (弥挂联办〔{year}〕5号 → 弥挂联办〔2019〕5号)."""
    return template.replace("{year}", str(issued.year)).strip() or None if template else None


def meta_from_scheme(scheme: Scheme, year: int, issued: dt.date, *, number: str | None = None,
                     header: str | None = None, issuer: str | None = None) -> ReportMeta:
    """ReportMeta from a scheme file: its name, document number and coordinator; ``number`` (文号),
    ``header`` (发文机关标志) and ``issuer`` come from the cycle's or the office's settings when given."""
    issuer = issuer or scheme.roles.get("coordinator", "考核工作领导小组办公室")
    title = scheme.name.removesuffix("办法").removesuffix("考核评价").removesuffix("考核")
    basis = f"《{scheme.name}》"
    if DOCUMENT_NUMBER.fullmatch(scheme.document.strip()):
        basis += f"（{scheme.document.strip()}）"
    return ReportMeta(year=year, title=title, issuer=issuer, issued=issued, basis=basis,
                      number=document_number(number, issued), header=header)


def two(value: Fraction) -> str:
    """A number shown with two decimals (half up)."""
    return format(quantize(value, 2), "f")


def _mean(values: list[Fraction]) -> Fraction:
    return sum(values, Fraction(0)) / len(values)


def _component_averages(report: ScoreReport) -> dict[tuple[str, str], Fraction]:
    values: dict[tuple[str, str], list[Fraction]] = {}
    for result in report.results:
        for line in result.components:
            if line.value is not None:
                values.setdefault((result.group, line.id), []).append(line.value)
    return {key: _mean(v) for key, v in values.items()}


def findings(report: ScoreReport, result: UnitResult) -> list[str]:
    """Problems of one unit: the assessors' own, components below the group average, penalties, a failing grade."""
    found = list(result.problems)
    averages = _component_averages(report)
    if result.group_size > 1:
        for line in result.components:
            average = averages.get((result.group, line.id))
            if line.value is not None and average is not None and line.value < average:
                found.append(f"“{line.name}”得分 {exact_text(line.value)}，低于本组平均分 {two(average)}")
    for item in result.penalty:
        found.append(f"存在扣分事项：{item.name}（扣 {exact_text(item.points)} 分）")
    if report.grade_names and result.grade == report.grade_names[-1]:
        found.append(f"考核等次为“{result.grade}”")
    for decision in result.decisions:
        if decision.selected and decision.selection in report.negative_selections:
            found.append(decision.reason)
    for flag in result.multi_year:
        if flag.triggered and flag.selection in report.negative_selections:
            found.append(flag.reason)
    return found


def advice(report: ScoreReport, result: UnitResult) -> list[str]:
    """Improvement advice: the assessors' own, then one line per component below the group average."""
    given = list(result.advice)
    averages = _component_averages(report)
    weak = [
        line.name
        for line in result.components
        if result.group_size > 1
        and line.value is not None
        and (average := averages.get((result.group, line.id))) is not None
        and line.value < average
    ]
    if weak:
        given.append(f"针对{'、'.join(f'“{w}”' for w in weak)}得分偏低的情况，逐项查找原因，制定整改措施，明确责任和时限。")
    if result.penalty:
        given.append("对扣分事项逐项整改，防止问题反弹。")
    if not given:
        given.append("巩固现有成效，对照考核指标查漏补缺，持续提升工作质量。")
    return given


def letter_context(report: ScoreReport, result: UnitResult, meta: ReportMeta) -> dict[str, Any]:
    """Everything the feedback letter of one unit shows."""
    rank = f"在“{result.group_name}”组（共{result.group_size}个）中排名第{result.rank}位"
    if result.overall_rank is not None:
        rank += f"，在全部{len(report.results)}个单位中排名第{result.overall_rank}位"
    grade_lines: list[str] = []
    if result.grade is not None:
        grade_lines.append(result.grade_reason)
        if result.grade_before_quota != result.grade and result.quota_reason:
            grade_lines.append(result.quota_reason)
    components = [
        (
            line.name,
            line.raw,
            f"{exact_text(line.weight)}%",
            report.shown(line.contribution) if not line.missing else "—",
            line.note,
        )
        for line in result.components
    ]
    items = [(f"加分：{i.name}", i.given, "", f"+{report.shown(i.points)}", i.note) for i in result.bonus]
    items += [(f"扣分：{i.name}", i.given, "", f"−{report.shown(i.points)}", i.note) for i in result.penalty]
    return {
        "meta": meta,
        "unit": result,
        "total": format(result.total, "f"),
        "grade": result.grade,
        "rank_text": rank,
        "grade_lines": grade_lines,
        "components": components,
        "items": items,
        "weighted_sum": report.shown(result.weighted_sum),
        "bonus_applied": report.shown(result.bonus_applied),
        "penalty_applied": report.shown(result.penalty_applied),
        "total_notes": list(result.reallocation_notes) + list(result.total_notes),
        "decisions": [d.reason for d in result.decisions if d.selected and d.selection not in report.negative_selections],
        "multi_year": [f.reason for f in result.multi_year if f.triggered and f.selection not in report.negative_selections],
        "problems": findings(report, result),
        "advice": advice(report, result),
    }


def overall_context(report: ScoreReport, meta: ReportMeta) -> dict[str, Any]:
    """Everything the overall assessment report shows, in its four sections."""
    settings = report.settings_used
    formulas = []
    for formula in settings["formulas"]:
        parts = "＋".join(f"{c['name']}×{c['weight']}%" for c in formula["components"])
        if settings["bonus"] or settings["penalty"]:
            parts += "＋加分−扣分"
        formulas.append(f"{formula['name']}：{parts}")
    groups = [(g.name, g.kind_name, str(g.size), "；".join(_places(report, g.places))) for g in report.groups]
    totals = [Fraction(r.total) for r in report.results]
    return {
        "meta": meta,
        "count": len(report.results),
        "groups": groups,
        "formulas": formulas,
        "caps": _caps(settings),
        "rounding_rule": settings["rounding_rule"],
        "overall": (two(_mean(totals)), two(max(totals)), two(min(totals))),
        "group_stats": _group_stats(report),
        "component_stats": _component_stats(report),
        "grade_rows": _grade_rows(report),
        "problem_lines": _problem_lines(report),
        "evaluation_lines": _evaluation_lines(report),
        "assumptions": [a["text"] for a in settings["assumptions"]],
        "notes": list(report.notes),
        "ranking": [
            (r.group_name, str(r.rank), r.unit, r.name, format(r.total, "f"), r.grade or "—") for r in report.results
        ],
    }


def _places(report: ScoreReport, places: dict[str, str]) -> list[str]:
    names = {**report.selection_names, **{f"grade:{g}": f"{g}名额" for g in report.grade_names}}
    return [f"{names.get(key, key)}：{text}" for key, text in places.items()]


def _caps(settings: dict[str, Any]) -> list[str]:
    lines = []
    for formula in settings["formulas"]:
        caps = [(formula["bonus_cap"], "加分上限"), (formula["penalty_cap"], "扣分上限"), (formula["total_cap"], "总分上限")]
        shown = [f"{label}{value}分" for value, label in caps if value is not None]
        if shown:
            lines.append(f"{formula['name']}：{'，'.join(shown)}")
    return lines


def _group_stats(report: ScoreReport) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for group, members in report.by_group():
        totals = [Fraction(r.total) for r in members]
        rows.append((group.name, str(len(members)), two(_mean(totals)), two(max(totals)), two(min(totals))))
    return rows


def _component_stats(report: ScoreReport) -> list[dict[str, Any]]:
    tables = []
    for formula in report.settings_used["formulas"]:
        members = [r for r in report.results if r.formula == formula["id"]]
        if not members:
            continue
        rows = []
        for component in formula["components"]:
            values = [
                line.value for r in members for line in r.components if line.id == component["id"] and line.value is not None
            ]
            head = (component["name"], f"{component['weight']}%", str(len(values)))
            if values:
                rows.append((*head, two(_mean(values)), two(max(values)), two(min(values))))
            else:
                rows.append((*head, "—", "—", "—"))
        weakest = min((row for row in rows if row[3] != "—"), key=lambda row: Fraction(row[3]), default=None)
        tables.append({"name": formula["name"], "rows": rows, "weakest": weakest[0] if weakest else None})
    return tables


def _grade_rows(report: ScoreReport) -> list[tuple[str, str, str]]:
    rows = []
    for grade in report.grade_names:
        before = sum(1 for r in report.results if r.grade_before_quota == grade)
        after = sum(1 for r in report.results if r.grade == grade)
        rows.append((grade, str(before), str(after)))
    return rows


def _problem_lines(report: ScoreReport) -> list[str]:
    lines = []
    if report.grade_names:
        lowest = report.grade_names[-1]
        failing = [r for r in report.results if r.grade == lowest]
        if failing:
            lines.append(f"考核等次为“{lowest}”的单位{len(failing)}个：{name_list([r.name for r in failing])}。")
    for selection_id, name in report.selection_names.items():
        chosen = [r for r in report.results if r.selected(selection_id)]
        if chosen and selection_id in report.negative_selections:
            lines.append(f"{name}：{name_list([r.name for r in chosen])}。")
    penalties: dict[str, int] = {}
    for result in report.results:
        for item in result.penalty:
            penalties[item.name] = penalties.get(item.name, 0) + 1
    for name, count in penalties.items():
        lines.append(f"“{name}”扣分的单位{count}个。")
    for table in _component_stats(report):
        if table["weakest"]:
            lines.append(f"{table['name']}各分项中，“{table['weakest']}”平均得分最低。")
    raised = sum(1 for r in report.results if r.problems)
    if raised:
        lines.append(f"考核组对{raised}个单位列出了具体问题，已在各单位反馈意见中逐一反馈。")
    return lines or ["本次考核未发现突出的共性问题。"]


def _evaluation_lines(report: ScoreReport) -> list[str]:
    lines = []
    rows = _grade_rows(report)
    if rows:
        lines.append("等次评定结果：" + "，".join(f"{grade}{after}个" for grade, _, after in rows) + "。")
    for selection_id, name in report.selection_names.items():
        chosen = [r for r in report.results if r.selected(selection_id)]
        if all(r.overall_rank is not None for r in chosen):
            chosen.sort(key=lambda r: r.overall_rank or 0)
        if chosen and selection_id not in report.negative_selections:
            lines.append(f"{name}（{len(chosen)}个）：{name_list([r.name for r in chosen])}。")
    flagged: dict[str, list[str]] = {}
    for result in report.results:
        for flag in result.multi_year:
            if flag.triggered:
                flagged.setdefault(flag.name, []).append(result.name)
    for name, units in flagged.items():
        lines.append(f"{name}：{name_list(units)}。")
    if any(f.triggered is None for r in report.results for f in r.multi_year):
        lines.append("未提供上年考核结果，连续两年的情形未作评估。")
    return lines
