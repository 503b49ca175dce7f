"""The row-by-row roster checks as they were before the column-wise reader (commit eb46b03), kept as the oracle
the property test compares ``read_roster`` with: same entries, same problems in the same order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kaohe.errors import Problem, RosterError
from kaohe.roster.columns import BOOLEAN_WORDS, FIELD_LABELS, ROLE_WORDS, SEQUENCE_WORDS, word_key
from kaohe.roster.contact_checks import Checked, check_email, check_phone, check_webhook, robot_key_checker
from kaohe.roster.credit_code import credit_code_problem
from kaohe.roster.entry import CONTACT_CHANNELS, RankingSequence, Role, RosterEntry
from kaohe.roster.header import Column, column_letter, header_index, map_header
from kaohe.roster.sheets import read_rows
from kaohe.roster.text import fold_width, tidy_name
from kaohe.unitcodes import code_problem

_CONTACT_CHECKS: dict[str, Callable[[str], Checked]] = {
    "email": check_email,
    "phone": check_phone,
    "wecom": robot_key_checker("wecom"),
    "dingtalk": robot_key_checker("dingtalk"),
    "feishu": robot_key_checker("feishu"),
    "webhook": check_webhook,
}
_PLAIN_TEXT_FIELDS = ("kind", "township", "region", "city", "county")


@dataclass
class ParsedRow:
    """A data row after cleaning: the entry (``None`` if the row is bad) and what cross-row checks need."""

    row: int
    code: str
    name: str
    supervisor: str | None
    labels: dict[str, str]
    entry: RosterEntry | None
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    """What a header says about every data row, worked out once: field → column index, the extra columns."""

    labels: dict[str, str]
    fields: tuple[tuple[str, int], ...]
    extras: tuple[tuple[str, int], ...]
    contacts: tuple[str, ...]
    """The contact channels that have a column, in ``CONTACT_CHANNELS`` order."""

    @classmethod
    def of(cls, columns: list[Column]) -> Layout:
        """The layout of the mapped header ``columns``."""
        fields = tuple((c.field, c.index) for c in columns if c.field)
        named = {name for name, _ in fields}
        return cls({c.field: c.label for c in columns if c.field}, fields, tuple((c.label, c.index) for c in columns if not c.field),
                   tuple(channel for channel in CONTACT_CHANNELS if channel in named))


def parse_row(row: int, cells: list[str], columns: list[Column] | Layout, file: str) -> ParsedRow:
    """Clean and check one data row (``columns`` mapped once into a ``Layout`` when many rows share them)."""
    layout = columns if isinstance(columns, Layout) else Layout.of(columns)
    labels = layout.labels
    width = len(cells)
    raw = {name: cells[index] if index < width else "" for name, index in layout.fields}
    attributes = {label: cells[index].strip() if index < width else "" for label, index in layout.extras}
    problems: list[Problem] = []

    def problem(field_name: str, reason: str) -> None:
        problems.append(Problem(reason, file=file, row=row, field=labels.get(field_name, FIELD_LABELS[field_name])))

    code = fold_width(raw.get("code", ""))
    if (reason := code_problem(code)) is not None:
        problem("code", reason)
    name = tidy_name(raw.get("name", ""))
    if not name:
        problem("name", "名称为空")
    texts = {key: tidy_name(raw.get(key, "")) or None for key in _PLAIN_TEXT_FIELDS}

    role = Role.ASSESSED
    if raw.get("role", "").strip():
        found_role = ROLE_WORDS.get(word_key(raw["role"]))
        if found_role is None:
            problem("role", f"未知角色“{raw['role'].strip()}”，应为 被考核单位、核查单位、牵头考核单位、协调办公室、第三方、组织部、抽查对象"
                    "（或 assessed、verifier、lead_assessor、coordinator、third_party、organization_dept、sampled）")
        else:
            role = found_role

    poor: bool | None = None
    if raw.get("poor_township", "").strip():
        poor = BOOLEAN_WORDS.get(word_key(raw["poor_township"]))
        if poor is None:
            problem("poor_township", f"无法识别的是/否值“{raw['poor_township'].strip()}”，应为 是/否、yes/no、true/false、1/0")

    sequence: RankingSequence | None = None
    if raw.get("sequence", "").strip():
        sequence = SEQUENCE_WORDS.get(word_key(raw["sequence"]))
        if sequence is None:
            problem("sequence", f"未知序列“{raw['sequence'].strip()}”，应为 工作总队、队长、副队长、联络员、成员"
                    "（或 team、leader、deputy、liaison、member）")

    supervisor = fold_width(raw.get("supervisor", "")) or None

    contacts: dict[str, str] = {}
    for channel in layout.contacts:
        if not raw[channel].strip():
            continue
        value, reason = _CONTACT_CHECKS[channel](raw[channel])
        if reason:
            problem(channel, reason)
        contacts[channel] = value

    credit_code = fold_width(raw.get("credit_code", "")).upper() or None
    if credit_code:
        reason = credit_code_problem(credit_code)
        if reason:
            problem("credit_code", reason)

    entry = None
    if not problems:
        entry = RosterEntry(
            code=code,
            name=name,
            kind=texts["kind"],
            role=role,
            township=texts["township"],
            region=texts["region"],
            city=texts["city"],
            county=texts["county"],
            poor_township=poor,
            sequence=sequence,
            supervisor=supervisor,
            contacts=contacts,
            credit_code=credit_code,
            attributes=attributes,
        )
    return ParsedRow(row, code, name, supervisor, labels, entry, problems)


def link_problems(rows: list[ParsedRow], file: str) -> list[Problem]:
    """Duplicate codes and bad supervisor references among ``rows``, each at the row to fix."""
    problems: list[Problem] = []
    first: dict[str, ParsedRow] = {}
    folded: dict[str, ParsedRow] = {}
    for row in rows:
        if not row.code:
            continue
        other = folded.get(row.code.casefold())
        if other is not None and other.code != row.code:
            problems.append(
                Problem(
                    f"编码“{row.code}”与第{other.row}行“{other.code}”只有大小写不同，存档时无法区分，请改用不同的编码",
                    file=file,
                    row=row.row,
                    field=_label(row, "code"),
                )
            )
        folded.setdefault(row.code.casefold(), row)
        if row.code in first:
            earlier = first[row.code]
            problems.append(
                Problem(
                    f"编码“{row.code}”重复：第{earlier.row}行“{earlier.name}”与第{row.row}行“{row.name}”",
                    file=file,
                    row=row.row,
                    field=_label(row, "code"),
                )
            )
        else:
            first[row.code] = row

    graph: dict[str, str] = {}
    for row in rows:
        if row.supervisor is None:
            continue
        if row.supervisor == row.code:
            problems.append(Problem(f"上级不能是本单位自己（{row.code}）", file=file, row=row.row, field=_label(row, "supervisor")))
        elif row.supervisor not in first:
            problems.append(
                Problem(f"上级编码“{row.supervisor}”在名册中不存在", file=file, row=row.row, field=_label(row, "supervisor"))
            )
        elif row.code and first.get(row.code) is row:
            graph[row.code] = row.supervisor

    for cycle in _cycles(graph, [row.code for row in rows if row.code]):
        head = min(cycle, key=lambda code: first[code].row)
        start = cycle.index(head)
        ordered = cycle[start:] + cycle[:start] + [head]
        places = "、".join(f"第{first[code].row}行" for code in ordered[:-1])
        problems.append(
            Problem(
                f"上级关系成环：{' → '.join(ordered)}（{places}）",
                file=file,
                row=first[head].row,
                field=_label(first[head], "supervisor"),
            )
        )
    return problems


def _cycles(graph: dict[str, str], order: list[str]) -> list[list[str]]:
    """Every cycle of the functional graph ``graph`` (code -> supervisor), each once."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []
    for start in order:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node, 0) == 0:
            state[node] = 1
            path.append(node)
            node = graph.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return cycles


def _label(row: ParsedRow, field: str) -> str:
    return row.labels.get(field, FIELD_LABELS[field])


def read_roster_row_by_row(path: Path) -> list[RosterEntry]:
    """``read_roster`` as it was: every row parsed on its own, then the checks across rows."""
    file = str(path)
    rows = read_rows(path)
    if not rows:
        raise RosterError("文件为空，没有表头也没有数据", file=file)
    start = header_index(rows)
    header_row, header_cells = rows[start]
    columns = map_header(header_cells, header_row, file)
    data = rows[start + 1 :]
    if not data:
        raise RosterError([Problem("名册只有表头，没有任何单位", file=file, row=header_row)])
    headed = {column.index for column in columns}
    gaps = [index for index in range(max((len(cells) for _, cells in data), default=0)) if index not in headed]
    unheaded = sorted({index for _, cells in data for index in gaps if index < len(cells) and cells[index].strip()})
    problems = [
        Problem(f"{column_letter(index)}列有数据但没有表头", file=file, row=header_row, field=f"{column_letter(index)}列")
        for index in unheaded
    ]
    layout = Layout.of(columns)
    parsed = [parse_row(number, cells, layout, file) for number, cells in data]
    problems += [problem for row in parsed for problem in row.problems]
    problems += link_problems(parsed, file)
    if problems:
        problems.sort(key=lambda problem: problem.row or 0)
        raise RosterError(problems)
    return [row.entry for row in parsed if row.entry is not None]
