"""Form files read into component scores: 内蒙古 附件1 (an indicator table per unit → 指标考核) and 附件3 (one
democratic evaluation ballot per attendee → 总结测评).

Input files (CSV or XLSX, read bounded like every other input; the header row is found in the first ten rows):

- an **indicator table** (``kind: indicators``): one row per unit, ``单位代码`` plus one column per indicator
  (its name or id), every indicator required, each at most its points; the unit's component score is the sum;
- a **ballot file** (``kind: ballot``): one row per ballot, ``单位代码`` (the person or team evaluated) plus one
  column per evaluation item holding a level word (好/较好/一般/差); optional ``票号``/``测评人`` columns. A
  ballot that leaves an item blank or marks an unknown level is set aside (作废) and listed in the notes with
  its file and row, as a counting committee would; a unit without one valid ballot is an error.

A form the source does not publish (``kind: entered``, 内蒙古 附件4 民意调查) is refused with its note: its
score is entered on the score sheet. ``merge_forms`` puts the derived scores into the score sheet's rows; a
score given both on the sheet and by a form is an error (one place only), as is a form row for a unit the
sheet does not list. Every problem names the file, the row and the field; nothing is scored when one exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kaohe.errors import Problem, ScoreSheetError
from kaohe.inputfiles import read_bounded
from kaohe.schemes.forms import BallotForm, EnteredForm, Form, IndicatorForm, ballot_score, indicator_score
from kaohe.scoring.inputs import UnitInput
from kaohe.scoring.sheet import Merge
from kaohe.scoring.spec import ScoringSpec, normalize_label
from kaohe.scoring.table import Cell, Table, read_table
from kaohe.scoring.values import is_blank, is_no_task, text_of

UNIT_LABELS = ("单位代码", "代码", "人员代码", "被测评人代码", "unit")
NAME_LABELS = ("单位名称", "名称", "姓名", "被测评人", "name")
IGNORED_LABELS = ("序号", "票号", "测评人", "测评人类别", "备注", "说明")
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class FormScores:
    """The scores a form file gives one component: unit code → (score, row in the file), and notes for the report."""

    component: str
    form_name: str
    file: str
    scores: Mapping[str, tuple[Decimal, int]]
    notes: tuple[str, ...] = ()


def find_form(spec: ScoringSpec, forms: Mapping[str, Form], key: str) -> tuple[str, Form]:
    """The component id and form named by ``key`` (a component id or name, or the form's name); ScoreSheetError otherwise."""
    wanted = normalize_label(key)
    names = {c.id: c.name for f in spec.formulas for c in f.components}
    for component, form in forms.items():
        if wanted in {normalize_label(component), normalize_label(names.get(component, component)), normalize_label(form.name)}:
            return component, form
    known = "、".join(f"{names.get(c, c)}（{c}）" for c in forms) or "无"
    raise ScoreSheetError(Problem(f"方案没有分项“{key}”的表单（可用：{known}）", field="--form"))


def read_form_file(component: str, form: Form, path: Path) -> FormScores:
    """The component scores a form file gives (see the module docstring); ScoreSheetError naming file, row and field."""
    if isinstance(form, EnteredForm):
        raise ScoreSheetError(Problem(f"{form.name}（{form.clause}）不能由文件折算：{form.note}", file=str(path), field="--form"))
    data = read_bounded(path, "文件", ScoreSheetError)
    return parse_form(component, form, data, str(path))


def parse_form(component: str, form: BallotForm | IndicatorForm, data: bytes, file: str) -> FormScores:
    """``read_form_file`` of bytes already read."""
    table = read_table(data, file)
    if isinstance(form, IndicatorForm):
        return _indicators(component, form, table)
    return _ballots(component, form, table)


FormFile = tuple[str, Path]
"""One ``--form 分项=文件``: the component (its id or name, or the form's name) and the file."""


def parse_form_options(entries: Sequence[str]) -> tuple[list[FormFile], list[Problem]]:
    """``分项=文件`` option texts as (component, file) pairs, and a problem for each one not written so."""
    pairs: list[FormFile] = []
    problems: list[Problem] = []
    for entry in entries:
        key, sep, path = entry.partition("=")
        if not sep or not key.strip() or not path.strip():
            problems.append(Problem(f"“{entry}”应写作 分项=文件（如 指标考核=指标表.xlsx）", field="--form"))
        else:
            pairs.append((key.strip(), Path(path.strip())))
    return pairs, problems


def read_forms(spec: ScoringSpec, forms: Mapping[str, Form], given: Sequence[FormFile],
               problems: Sequence[Problem] = ()) -> list[FormScores]:
    """Read each form file of ``given``; ScoreSheetError with every problem of every file (and ``problems``) at once."""
    read: list[FormScores] = []
    found = list(problems)
    for key, path in given:
        try:
            component, form = find_form(spec, forms, key)
            if any(done.component == component for done in read):
                raise ScoreSheetError(Problem(f"分项“{key}”的表单文件给了两次", field="--form"))
            read.append(read_form_file(component, form, path))
        except ScoreSheetError as error:
            found += error.problems
    if found:
        raise ScoreSheetError(found)
    return read


def merger(forms: Sequence[FormScores], sheet: str) -> Merge | None:
    """The ``merge=`` hook of kaohe.scoring.sheet that fills the sheet's rows from ``forms`` (None without forms)."""
    if not forms:
        return None
    return lambda rows: merge_forms(rows, forms, sheet)


def merge_forms(inputs: Sequence[UnitInput], forms: Sequence[FormScores], sheet: str) -> tuple[list[UnitInput], list[Problem]]:
    """The score sheet's rows with the forms' scores filled in, and the problems (unknown unit, score given twice)."""
    by_unit = {row.unit: row for row in inputs}
    values: dict[str, dict[str, object]] = {}
    problems: list[Problem] = []
    for form in forms:
        for code, (score, row) in form.scores.items():
            unit = by_unit.get(code)
            if unit is None:
                problems.append(Problem(f"评分表 {sheet} 中没有单位 {code}", file=form.file, row=row, field="单位代码"))
                continue
            given = unit.values.get(form.component)
            if not is_blank(given) and not is_no_task(given):
                problems.append(Problem(
                    f"单位 {code} 的“{form.form_name}”得分已由 {form.file} 第{row}行给出（{score}），评分表又填了 {text_of(given)}；"
                    "同一分项只能在一处给出（请清空评分表该格）", file=sheet, row=unit.row, field=form.component))
                continue
            values.setdefault(code, {})[form.component] = score
    merged = [row.model_copy(update={"values": {**row.values, **values[row.unit]}}) if row.unit in values else row for row in inputs]
    return merged, problems


def form_notes(forms: Sequence[FormScores]) -> tuple[str, ...]:
    """What the report says about the forms read (how each was converted, ballots set aside)."""
    return tuple(note for form in forms for note in form.notes)


def entered_notes(spec: ScoringSpec, forms: Mapping[str, Form]) -> tuple[str, ...]:
    """What the report says about components whose form the source does not publish (entered as given: an open point)."""
    names = {c.id: c.name for f in spec.formulas for c in f.components}
    return tuple(f"{names.get(component, component)}：{form.name}（{form.clause}）为待定事项，得分按评分表所填计入，未经折算。"
                 for component, form in forms.items() if isinstance(form, EnteredForm) and component in names)


# --- reading -------------------------------------------------------------------------------------------------

def _header(table: Table, known: Mapping[str, str], required: Sequence[str], labels: Mapping[str, str]
            ) -> tuple[int, list[str | None]]:
    """The header row and, per column, its key (None for ignored or empty columns); every bad column at once."""
    units = {normalize_label(u) for u in UNIT_LABELS}
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        if any(isinstance(c, str) and normalize_label(c) in units for c in cells):
            break
    else:
        raise ScoreSheetError(Problem(f"前{HEADER_SEARCH_ROWS}行中找不到表头（须有“单位代码”列）", file=table.file))
    ignored = {normalize_label(x) for x in (*IGNORED_LABELS, *NAME_LABELS)}
    problems: list[Problem] = []
    columns: list[str | None] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells, start=1):
        label = "" if cell is None else str(cell).strip()
        key = normalize_label(label)
        if not label or key in ignored:
            columns.append(None)
            continue
        column = "unit" if key in units else known.get(key)
        if column is None:
            problems.append(Problem(f"未知的列“{label}”（第{index}列）", file=table.file, row=number, field=label))
        elif column in seen:
            problems.append(Problem(f"列“{label}”（第{index}列）与第{seen[column]}列重复", file=table.file, row=number, field=label))
        else:
            seen[column] = index
        columns.append(column)
    problems += [Problem(f"缺少列“{labels[key]}”", file=table.file, row=number, field=labels[key])
                 for key in required if key not in seen]
    if problems:
        raise ScoreSheetError(problems)
    return number, columns


def _rows(table: Table, header: int, columns: list[str | None]) -> list[tuple[int, dict[str, Cell]]]:
    rows = []
    for number, cells in table.rows:
        if number <= header:
            continue
        row = {key: cells[i] if i < len(cells) else None for i, key in enumerate(columns) if key is not None}
        if not all(is_blank(v) for v in row.values()):
            rows.append((number, row))
    return rows


def _code(value: Cell) -> str:
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"{value} 不是代码（应为文本）")
        return str(int(value))
    return text_of(value)


def _indicators(component: str, form: IndicatorForm, table: Table) -> FormScores:
    known: dict[str, str] = {}
    for item in form.items:
        known[normalize_label(item.id)] = known[normalize_label(item.name)] = item.id
    labels = {"unit": "单位代码", **{i.id: i.name for i in form.items}}
    header, columns = _header(table, known, ["unit", *(i.id for i in form.items)], labels)
    scores: dict[str, tuple[Decimal, int]] = {}
    problems: list[Problem] = []
    for number, row in _rows(table, header, columns):
        code = _unit_code(row, table.file, number, problems)
        if code is None:
            continue
        if code in scores:
            problems.append(Problem(f"单位 {code} 重复（已见第{scores[code][1]}行）", file=table.file, row=number, field="单位代码"))
            continue
        points = {key: value for key, value in row.items() if key != "unit"}
        try:
            total = indicator_score(form, points)
        except ScoreSheetError as error:
            problems += [Problem(p.reason, file=table.file, row=number, field=labels.get(p.field or "", p.field)) for p in error.problems]
            continue
        scores[code] = (Decimal(total.numerator) / Decimal(total.denominator), number)
    if not scores and not problems:
        problems.append(Problem("表中没有任何单位的指标得分", file=table.file))
    if problems:
        raise ScoreSheetError(problems)
    note = f"{form.name}（{form.clause}）：{table.file} 中 {len(scores)} 个单位的{len(form.items)}项指标得分相加为“指标考核”得分。"
    return FormScores(component, form.name, table.file, scores, (note,))


def _ballots(component: str, form: BallotForm, table: Table) -> FormScores:
    known = {normalize_label(item): item for item in form.items}
    labels = {"unit": "单位代码", **{item: item for item in form.items}}
    header, columns = _header(table, known, ["unit", *form.items], labels)
    ballots: dict[str, list[tuple[int, dict[str, str]]]] = {}
    problems: list[Problem] = []
    for number, row in _rows(table, header, columns):
        code = _unit_code(row, table.file, number, problems)
        if code is not None:
            ballots.setdefault(code, []).append((number, {k: text_of(v) for k, v in row.items() if k != "unit" and not is_blank(v)}))
    if not ballots and not problems:
        problems.append(Problem("表中没有任何测评票", file=table.file))
    scores: dict[str, tuple[Decimal, int]] = {}
    set_aside: list[str] = []
    for code, rows in ballots.items():
        try:
            result = ballot_score(form, [ballot for _, ballot in rows])
        except ScoreSheetError:
            problems.append(Problem(f"单位 {code} 的{len(rows)}张测评票均无效（第{'、'.join(str(n) for n, _ in rows)}行）",
                                    file=table.file, row=rows[0][0], field="单位代码"))
            continue
        scores[code] = (result.score, rows[0][0])
        for reason in result.invalid:
            ordinal, _, why = reason.partition("：")
            row_number = rows[int(ordinal.removeprefix("第").removesuffix("张")) - 1][0]
            set_aside.append(f"{table.file} 第{row_number}行（单位 {code}）作废：{why}")
    if problems:
        raise ScoreSheetError(sorted(problems, key=lambda p: p.row or 0))
    levels = "、".join(f"{word}={format(value, 'f')}" for word, value in form.levels.items())
    counted = sum(len(rows) for rows in ballots.values()) - len(set_aside)
    notes = [f"{form.name}（{form.clause}）：{table.file} 中 {counted} 张有效测评票折算为“总结测评”得分"
             f"（默认 {levels}，各项等权平均为一票得分，各票平均后保留两位小数，四舍五入；原文未规定折算办法）。"]
    if set_aside:
        notes.append(f"作废测评票 {len(set_aside)} 张，不计入：" + "；".join(set_aside))
    return FormScores(component, form.name, table.file, scores, tuple(notes))


def _unit_code(row: Mapping[str, Cell], file: str, number: int, problems: list[Problem]) -> str | None:
    value = row.get("unit")
    if is_blank(value):
        problems.append(Problem("单位代码为空", file=file, row=number, field="单位代码"))
        return None
    try:
        return _code(value)
    except ValueError as error:
        problems.append(Problem(str(error), file=file, row=number, field="单位代码"))
        return None
