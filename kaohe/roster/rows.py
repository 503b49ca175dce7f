"""Checking a roster's data rows column by column: every cell cleaned and checked, every problem at its row.

Each field has one check, ``raw cell text -> (clean value, problem or None)``, applied to every cell of its
column. Checks are pure, so a column whose values repeat (role, township, supervisor…) checks each distinct
text once. A field without a column gets what its check makes of an empty cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

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
from kaohe.roster.links import link_problems
from kaohe.roster.text import fold_width, tidy_name
from kaohe.unitcodes import code_problem

FieldCheck = Callable[[str], tuple[Any, str | None]]


def _code(raw: str) -> tuple[str, str | None]:
    code = fold_width(raw)
    return code, code_problem(code)


def _name(raw: str) -> tuple[str, str | None]:
    name = tidy_name(raw)
    return name, None if name else "名称为空"


def _text(raw: str) -> tuple[str | None, str | None]:
    return tidy_name(raw) or None, None


def _role(raw: str) -> tuple[Role, str | None]:
    if not raw.strip():
        return Role.ASSESSED, None
    found = ROLE_WORDS.get(word_key(raw))
    if found is None:
        return Role.ASSESSED, (f"未知角色“{raw.strip()}”，应为 被考核单位、核查单位、牵头考核单位、协调办公室、第三方、组织部、抽查对象"
                               "（或 assessed、verifier、lead_assessor、coordinator、third_party、organization_dept、sampled）")
    return found, None


def _poor_township(raw: str) -> tuple[bool | None, str | None]:
    if not raw.strip():
        return None, None
    poor = BOOLEAN_WORDS.get(word_key(raw))
    if poor is None:
        return None, f"无法识别的是/否值“{raw.strip()}”，应为 是/否、yes/no、true/false、1/0"
    return poor, None


def _sequence(raw: str) -> tuple[RankingSequence | None, str | None]:
    if not raw.strip():
        return None, None
    sequence = SEQUENCE_WORDS.get(word_key(raw))
    if sequence is None:
        return None, (f"未知序列“{raw.strip()}”，应为 工作总队、队长、副队长、联络员、成员"
                      "（或 team、leader、deputy、liaison、member）")
    return sequence, None


def _supervisor(raw: str) -> tuple[str | None, str | None]:
    return fold_width(raw) or None, None


def _contact(check: Callable[[str], Checked]) -> FieldCheck:
    def checked(raw: str) -> tuple[str | None, str | None]:
        if not raw.strip():
            return None, None
        return check(raw)

    return checked


def _credit_code(raw: str) -> tuple[str | None, str | None]:
    credit_code = fold_width(raw).upper() or None
    return credit_code, credit_code_problem(credit_code) if credit_code else None


_CONTACT_CHECKS: dict[str, Callable[[str], Checked]] = {
    "email": check_email,
    "phone": check_phone,
    "wecom": robot_key_checker("wecom"),
    "dingtalk": robot_key_checker("dingtalk"),
    "feishu": robot_key_checker("feishu"),
    "webhook": check_webhook,
}

FIELD_CHECKS: tuple[tuple[str, FieldCheck, bool], ...] = (
    ("code", _code, False),
    ("name", _name, False),
    ("kind", _text, True),
    ("township", _text, True),
    ("region", _text, True),
    ("city", _text, True),
    ("county", _text, True),
    ("role", _role, True),
    ("poor_township", _poor_township, True),
    ("sequence", _sequence, True),
    ("supervisor", _supervisor, True),
    *((channel, _contact(_CONTACT_CHECKS[channel]), False) for channel in CONTACT_CHANNELS),
    ("credit_code", _credit_code, False),
)
"""Every field, its check and whether its values usually repeat; a row's problems come in this order."""


@dataclass(frozen=True)
class Layout:
    """What a header says about every data row: field → column index, field → header as written, the extras."""

    labels: dict[str, str]
    indexes: dict[str, int]
    extras: tuple[tuple[str, int], ...]

    @classmethod
    def of(cls, columns: list[Column]) -> Layout:
        """The layout of the mapped header ``columns``."""
        return cls({c.field: c.label for c in columns if c.field}, {c.field: c.index for c in columns if c.field},
                   tuple((c.label, c.index) for c in columns if not c.field))


def _checked(check: FieldCheck, column: Sequence[str], repeats: bool) -> tuple[list[Any], list[tuple[int, str]]]:
    """The clean value of every cell of ``column`` and (position, problem) of each bad one."""
    if repeats:
        distinct = {raw: check(raw) for raw in dict.fromkeys(column)}
        values = list(map({raw: value for raw, (value, _) in distinct.items()}.__getitem__, column))
        reasons = {raw: reason for raw, (_, reason) in distinct.items() if reason is not None}
        if not reasons:
            return values, []
        return values, [(position, reasons[raw]) for position, raw in enumerate(column) if raw in reasons]
    values = []
    problems = []
    for position, raw in enumerate(column):
        value, reason = check(raw)
        values.append(value)
        if reason is not None:
            problems.append((position, reason))
    return values, problems


def check_rows(rows: list[tuple[int, list[str]]], layout: Layout, file: str) -> tuple[list[RosterEntry], list[Problem]]:
    """Every row of ``rows`` (row number, cells) checked: the entries if no row is bad, else every problem.

    Problems come field by field in ``FIELD_CHECKS`` order, then those across rows (``link_problems``); sorted
    stably by row they come row by row, in field order within a row.
    """
    count = len(rows)
    width = max([*layout.indexes.values(), *(index for _, index in layout.extras)]) + 1
    padding = [""] * width
    table = list(zip(*[cells if len(cells) >= width else (cells + padding)[:width] for _, cells in rows]))
    problems: list[Problem] = []
    values: dict[str, list[Any]] = {}
    for name, check, repeats in FIELD_CHECKS:
        index = layout.indexes.get(name)
        if index is None:
            values[name] = [check("")[0]] * count
            continue
        values[name], bad = _checked(check, table[index], repeats)
        label = layout.labels.get(name, FIELD_LABELS[name])
        problems += [Problem(reason, file=file, row=rows[position][0], field=label) for position, reason in bad]
    numbers = [number for number, _ in rows]
    problems += link_problems(numbers, values["code"], values["name"], values["supervisor"], layout.labels, file)
    if problems:
        return [], problems

    channels = [channel for channel in CONTACT_CHANNELS if channel in layout.indexes]
    contacts = ([{channel: value for channel, value in zip(channels, found) if value is not None}
                 for found in zip(*[values[channel] for channel in channels])] if channels else [{} for _ in range(count)])
    labels = [label for label, _ in layout.extras]
    attributes = ([dict(zip(labels, found)) for found in zip(*[[raw.strip() for raw in table[index]] for _, index in layout.extras])]
                  if labels else [{} for _ in range(count)])
    entries = [
        RosterEntry(code=code, name=name, kind=kind, role=role, township=township, region=region, city=city, county=county,
                    poor_township=poor, sequence=sequence, supervisor=supervisor, contacts=contact, credit_code=credit_code,
                    attributes=attribute)
        for code, name, kind, role, township, region, city, county, poor, sequence, supervisor, contact, credit_code, attribute
        in zip(values["code"], values["name"], values["kind"], values["role"], values["township"], values["region"],
               values["city"], values["county"], values["poor_township"], values["sequence"], values["supervisor"], contacts,
               values["credit_code"], attributes)
    ]
    return entries, []
