"""Turning one data row into a ``RosterEntry``, collecting every problem of the row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kaohe.errors import Problem
from kaohe.roster.columns import (
    BOOLEAN_WORDS,
    FIELD_LABELS,
    ROLE_WORDS,
    SEQUENCE_WORDS,
    word_key,
)
from kaohe.roster.contact_checks import (
    Checked,
    check_email,
    check_phone,
    check_webhook,
    robot_key_checker,
)
from kaohe.roster.credit_code import credit_code_problem
from kaohe.roster.entry import CONTACT_CHANNELS, RankingSequence, Role, RosterEntry
from kaohe.roster.header import Column
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
