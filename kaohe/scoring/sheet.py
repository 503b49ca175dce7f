"""Score sheets and last year's results from CSV/XLSX into engine inputs; every problem at once, nothing partial."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from unicodedata import is_normalized

from kaohe.bulk import gc_paused
from kaohe.errors import Problem, ScoreSheetError
from kaohe.inputfiles import read_bounded
from kaohe.scoring.engine import score_prepared
from kaohe.scoring.inputs import PreviousResult, SheetUnit, UnitInput, UnitSource
from kaohe.scoring.result import ScoreReport
from kaohe.scoring.spec import ScoringSpec, normalize_label
from kaohe.scoring.table import Cell, Table, read_table
from kaohe.scoring.validation import Prepared, prepare
from kaohe.scoring.values import is_blank, yes_no

UNIT = ("单位代码", "代码", "编码", "人员代码", "unit")
NAME = ("单位名称", "名称", "姓名", "name")
GROUP = ("分组", "序列", "片区", "挂联乡镇", "所属乡镇", "group")
KIND = ("分组类型", "乡镇类型", "kind")
PROBLEMS = ("存在问题", "problems")
ADVICE = ("改进建议", "整改建议", "advice")
IGNORED = ("序号", "备注", "说明")
HEADER_SEARCH_ROWS = 10
LIST_SPLIT = re.compile(r"[\n；;]+")
Merge = Callable[[list[UnitInput]], tuple[list[UnitInput], list[Problem]]]


@dataclass(frozen=True)
class _Column:
    role: str
    key: str
    label: str


def parse_score_sheet(data: bytes, file: str, spec: ScoringSpec, *, merge: Merge | None = None) -> list[UnitInput]:
    """The units of a score sheet given as bytes; ScoreSheetError listing every bad row and field.

    ``merge`` fills in the rows from form files before they are validated (kaohe.scoring.form_files)."""
    units = _parse_and_prepare(data, file, spec, merge)[0]
    return [unit if isinstance(unit, UnitInput) else unit.to_input() for unit in units]


def _parse_and_prepare(data: bytes, file: str, spec: ScoringSpec, merge: Merge | None = None) -> tuple[list[UnitSource], list[Prepared]]:
    """The units of a score sheet and their prepared (validated, exact) form: one validation pass.

    ``merge`` (kaohe.scoring.form_files) fills in component scores from form files before validation."""
    table = read_table(data, file)
    header_row, columns = _header(table, _score_columns(spec), required=_required(spec))
    rows: list[SheetUnit] = []
    problems: list[Problem] = []
    layout = _Layout.of(columns)
    width, counted = len(columns), layout.counted
    lines = table.rows
    del table
    lines.reverse()
    while lines:
        number, cells = lines.pop()
        if number <= header_row:
            continue
        if len(cells) < width:
            cells = cells + [None] * (width - len(cells))
        if all(_blank(cells[i]) for i in counted):
            continue
        unit = _sheet_unit(layout, cells, number, file, problems)
        if unit is not None:
            rows.append(unit)
    if not rows and not problems:
        problems.append(Problem("表中没有任何单位数据", file=file))
    inputs: list[UnitSource] = list(rows)
    if merge is not None:
        merged_inputs, merged = merge([row.to_input() for row in rows])
        inputs = list(merged_inputs)
        problems += merged
    prepared, invalid = prepare(spec, inputs, file)
    problems += invalid
    if problems:
        raise ScoreSheetError(sorted(problems, key=lambda p: p.row or 0))
    return inputs, prepared


def read_score_sheet(path: Path, spec: ScoringSpec, *, merge: Merge | None = None) -> list[UnitInput]:
    """``parse_score_sheet`` of a file on disk."""
    return parse_score_sheet(_read_bytes(path), str(path), spec, merge=merge)


def parse_previous(data: bytes, file: str, spec: ScoringSpec) -> list[PreviousResult]:
    """Last year's results (unit code plus a 是/否 column per selection that a multi-year rule needs)."""
    needed = [spec.selection(rule.selection) for rule in spec.multi_year]
    wanted: dict[str, _Column] = {normalize_label(u): _Column("unit", "unit", u) for u in UNIT}
    for selection in needed:
        for label in (selection.id, selection.name, f"上年{selection.name}", f"是否{selection.name}"):
            wanted[normalize_label(label)] = _Column("selection", selection.id, selection.name)
    table = read_table(data, file)
    required = ["unit"] + [s.id for s in needed]
    header_row, columns = _header(table, wanted, required=required, strict=False)
    results: list[PreviousResult] = []
    problems: list[Problem] = []
    for number, cells in table.rows:
        if number <= header_row:
            continue
        row = _row_cells(columns, cells)
        if all(is_blank(v) for _, v in row):
            continue
        code = next((v for c, v in row if c.role == "unit"), None)
        if is_blank(code):
            problems.append(Problem("单位代码为空", file=file, row=number, field="单位代码"))
            continue
        chosen: set[str] = set()
        for column, value in row:
            if column.role != "selection":
                continue
            try:
                if yes_no(value):
                    chosen.add(column.key)
            except ValueError as error:
                problems.append(Problem(str(error), file=file, row=number, field=column.label))
        results.append(PreviousResult(unit=_code_text(code), selections=frozenset(chosen), row=number))
    if problems:
        raise ScoreSheetError(problems)
    return results


def read_previous(path: Path, spec: ScoringSpec) -> list[PreviousResult]:
    """``parse_previous`` of a file on disk."""
    return parse_previous(_read_bytes(path), str(path), spec)


def score_files(spec: ScoringSpec, sheet: Path, previous: Path | None = None, *, merge: Merge | None = None) -> ScoreReport:
    """Read the score sheet (and last year's results), then score; problems name the files.

    ``merge`` fills in the sheet's rows from form files before they are validated (kaohe.scoring.form_files)."""
    with gc_paused():
        return _score_files(spec, sheet, previous, merge)


def _score_files(spec: ScoringSpec, sheet: Path, previous: Path | None, merge: Merge | None) -> ScoreReport:
    problems: list[Problem] = []
    inputs: list[UnitSource] = []
    prepared: list[Prepared] = []
    last: list[PreviousResult] | None = None
    try:
        inputs, prepared = _parse_and_prepare(_read_bytes(sheet), str(sheet), spec, merge)
    except ScoreSheetError as error:
        problems += error.problems
    if previous is not None:
        try:
            last = read_previous(previous, spec)
        except ScoreSheetError as error:
            problems += error.problems
    if problems:
        raise ScoreSheetError(problems)
    return score_prepared(spec, inputs, prepared, [], last, file=str(sheet), previous_file=None if previous is None else str(previous))


def sheet_template(spec: ScoringSpec) -> bytes:
    """An empty XLSX score sheet with every column the scheme needs (codes as text)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "考核得分"
    headers = ["单位代码", "单位名称", "分组"]
    if any(k.open for k in spec.groups.kinds):
        headers.append("分组类型")
    headers += _component_names(spec)
    headers += [item.name for _, item in spec.items()]
    headers += [flag.name for flag in spec.input_flags]
    headers += ["存在问题", "改进建议"]
    sheet.append(headers)
    for column in sheet.iter_cols(min_col=1, max_col=1, min_row=1, max_row=200):
        for cell in column:
            cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _read_bytes(path: Path) -> bytes:
    return read_bounded(path, "文件", ScoreSheetError, allow_empty=True)


def _component_names(spec: ScoringSpec) -> list[str]:
    names: dict[str, str] = {}
    for formula in spec.formulas:
        for component in formula.components:
            names.setdefault(component.id, component.name)
    return list(names.values())


def _score_columns(spec: ScoringSpec) -> dict[str, _Column]:
    columns: dict[str, _Column] = {}

    def add(role: str, key: str, label: str, *aliases: str) -> None:
        """Map the key, the label and every alias to one column."""
        for alias in (key, label, *aliases):
            columns[normalize_label(alias)] = _Column(role, key, label)

    for role, labels in (("unit", UNIT), ("name", NAME), ("group", GROUP), ("kind", KIND),
                         ("problems", PROBLEMS), ("advice", ADVICE)):
        add(role, role, labels[0], *labels)
    for label in IGNORED:
        add("ignored", label, label)
    for formula in spec.formulas:
        for component in formula.components:
            add("component", component.id, component.name)
    for _, item in spec.items():
        add("item", item.id, item.name)
    for flag in spec.input_flags:
        add("flag", flag.id, flag.name)
    return columns


def _required(spec: ScoringSpec) -> list[str]:
    keys = ["unit", "name", "group"]
    keys += list(dict.fromkeys(c.id for f in spec.formulas for c in f.components))
    keys += [i.id for _, i in spec.items()] + [f.id for f in spec.input_flags]
    return keys


def _header(
    table: Table, known: dict[str, _Column], *, required: list[str], strict: bool = True
) -> tuple[int, list[_Column | None]]:
    unit_labels = {k for k, c in known.items() if c.role == "unit"}
    for number, cells in table.rows[:HEADER_SEARCH_ROWS]:
        labels = [normalize_label(c) if isinstance(c, str) else "" for c in cells]
        if any(label in unit_labels for label in labels):
            break
    else:
        raise ScoreSheetError(Problem(f"前{HEADER_SEARCH_ROWS}行中找不到表头（须有“单位代码”列）", file=table.file))
    problems: list[Problem] = []
    columns: list[_Column | None] = []
    seen: dict[tuple[str, str], str] = {}
    for index, cell in enumerate(cells, start=1):
        if cell is None or not str(cell).strip():
            columns.append(None)
            continue
        label = str(cell).strip()
        column = known.get(normalize_label(label))
        if column is None:
            if strict:
                problems.append(Problem(f"未知的列“{label}”（第{index}列；如为备注请命名为“备注”）", file=table.file, row=number))
            columns.append(None)
            continue
        if (column.role, column.key) in seen and column.role != "ignored":
            problems.append(Problem(f"列“{label}”与列“{seen[(column.role, column.key)]}”重复", file=table.file, row=number))
        seen[(column.role, column.key)] = label
        columns.append(column)
    present = {c.key for c in columns if c is not None}
    column_labels = {c.key: c.label for c in known.values()}
    for key in required:
        if key not in present:
            problems.append(Problem(f"缺少列“{column_labels.get(key, key)}”", file=table.file, row=number))
    if problems:
        raise ScoreSheetError(problems)
    return number, columns


def _row_cells(columns: list[_Column | None], cells: list[Cell]) -> list[tuple[_Column, Cell]]:
    row: list[tuple[_Column, Cell]] = []
    for index, column in enumerate(columns):
        if column is not None:
            row.append((column, cells[index] if index < len(cells) else None))
    return row


_NO_TEXTS: dict[str, list[str]] = {"problems": [], "advice": []}
"""Shared by every row without problems or advice (read, never changed)."""


@dataclass(frozen=True)
class _Layout:
    """Where each kind of cell is in a row of the sheet (column index and key), worked out once from the header."""

    fields: list[tuple[int, str]]
    components: list[tuple[int, str]]
    items: list[tuple[int, str]]
    flags: list[tuple[int, str]]
    texts: list[tuple[int, str]]
    counted: list[int]

    @classmethod
    def of(cls, columns: list[_Column | None]) -> _Layout:
        placed = [(i, c) for i, c in enumerate(columns) if c is not None]
        return cls(
            fields=[(i, c.role) for i, c in placed if c.role in {"unit", "name", "group", "kind"}],
            components=[(i, c.key) for i, c in placed if c.role == "component"],
            items=[(i, c.key) for i, c in placed if c.role == "item"],
            flags=[(i, c.key) for i, c in placed if c.role == "flag"],
            texts=[(i, c.role) for i, c in placed if c.role in {"problems", "advice"}],
            counted=[i for i, c in placed if c.role != "ignored"],
        )


def _blank(value: Cell) -> bool:
    """``is_blank``, answered without normalising text that is already in NFKC form."""
    if value is None:
        return True
    if value.__class__ is str and (value.isascii() or is_normalized("NFKC", value)):
        return not value.strip()
    return is_blank(value)


def _sheet_unit(layout: _Layout, cells: list[Cell], number: int, file: str, problems: list[Problem]) -> SheetUnit | None:
    fields = {role: cells[i] for i, role in layout.fields}
    texts: dict[str, list[str]] = _NO_TEXTS
    for i, role in layout.texts:
        value = cells[i]
        if not _blank(value):
            if texts is _NO_TEXTS:
                texts = {"problems": [], "advice": []}
            texts[role] = [p.strip() for p in LIST_SPLIT.split(str(value)) if p.strip()]
    ok = True
    for role, label in (("unit", "单位代码"), ("name", "单位名称"), ("group", "分组")):
        if _blank(fields.get(role)):
            problems.append(Problem(f"{label}为空", file=file, row=number, field=label))
            ok = False
    if not ok:
        return None
    try:
        code = _code_text(fields["unit"])
    except ValueError as error:
        problems.append(Problem(str(error), file=file, row=number, field="单位代码"))
        return None
    kind = fields.get("kind")
    return SheetUnit(code, str(fields["name"]).strip(), str(fields["group"]).strip(), None if _blank(kind) else str(kind).strip(),
                     {key: cells[i] for i, key in layout.components}, {key: cells[i] for i, key in layout.items},
                     {key: cells[i] for i, key in layout.flags}, texts["problems"], texts["advice"], number)


def _code_text(value: Cell) -> str:
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise ValueError(f"{value} 不是代码（应为文本）")
        return str(int(value))
    return str(value).strip()


