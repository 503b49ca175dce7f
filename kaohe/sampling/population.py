"""Check candidates and exclusions against a rule and reduce them to the recorded population."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kaohe.errors import InputError, Problem
from kaohe.sampling.rules import (
    PerGroupFixed,
    ProportionStratified,
    Rule,
    SichuanExitCounties,
)
from kaohe.sampling.units import Candidate, Exclusion

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "是"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "否"})


@dataclass(frozen=True)
class PopulationEntry:
    """A candidate as recorded: code, name, group and only the attributes the rule uses."""

    code: str
    name: str
    group: str | None
    attributes: Mapping[str, str]

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON-ready data."""
        return {"code": self.code, "name": self.name, "group": self.group, "attributes": dict(sorted(self.attributes.items()))}

    def to_candidate(self) -> Candidate:
        """The candidate this entry stands for, to re-run a draw."""
        return Candidate(self.code, self.name, self.group, dict(self.attributes))


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value).strip()
    return None


def _required_attributes(rule: Rule) -> tuple[str, ...]:
    if isinstance(rule, SichuanExitCounties):
        return (rule.group_attribute, rule.exit_attribute)
    if isinstance(rule, PerGroupFixed):
        return (rule.kind_attribute,) + ((rule.group_attribute,) if rule.group_attribute else ())
    return tuple(rule.stratify_by)


def _rule_problems(rule: Rule, label: str, group: str | None, attrs: dict[str, str]) -> list[Problem]:
    if isinstance(rule, SichuanExitCounties):
        value = attrs.get(rule.exit_attribute)
        if value is None:
            return []
        if value.lower() in TRUE_WORDS | FALSE_WORDS:
            attrs[rule.exit_attribute] = "true" if value.lower() in TRUE_WORDS else "false"
            return []
        return [Problem(f"{label} 的 {rule.exit_attribute} 应为 true/false（是/否），实为 {value!r}", field=rule.exit_attribute)]
    if isinstance(rule, PerGroupFixed):
        problems = []
        kind = attrs.get(rule.kind_attribute)
        if kind is not None and kind not in rule.quotas:
            problems.append(Problem(f"{label} 的类型 {kind!r} 不在抽样配额中（{'、'.join(rule.quotas)}）", field=rule.kind_attribute))
        if rule.group_attribute is None and not group:
            problems.append(Problem(f"{label} 没有所属组（group），无法按组抽取", field="group"))
        parent = rule.within_drawn.get(kind or "")
        if parent and not attrs.get(parent):
            problems.append(Problem(f"{label} 缺少属性 {parent}（所属{parent}的代码），无法限定在已抽中的{parent}内", field=parent))
        return problems
    return []


def _used_attributes(rule: Rule) -> tuple[str, ...]:
    if isinstance(rule, PerGroupFixed):
        return _required_attributes(rule) + tuple(rule.within_drawn.values())
    return _required_attributes(rule)


def build_population(
    rule: Rule, candidates: Iterable[Candidate], exclusions: Iterable[Exclusion]
) -> tuple[tuple[PopulationEntry, ...], tuple[Exclusion, ...]]:
    """Validate every candidate and exclusion (all problems at once) and return them sorted for the record."""
    candidates = list(candidates)
    if not candidates:
        raise InputError(Problem("抽样总体为空：没有任何候选单位，无法抽取", field="candidates"))
    problems: list[Problem] = []
    entries: dict[str, PopulationEntry] = {}
    used = _used_attributes(rule)
    for candidate in candidates:
        code = candidate.code.strip() if isinstance(candidate.code, str) else ""
        label = f"单位 {code or repr(candidate.code)}（{candidate.name}）"
        if not code:
            problems.append(Problem(f"{label} 的代码应为非空字符串", field="code"))
            continue
        if code in entries:
            problems.append(Problem(f"{label} 的代码重复", field="code"))
            continue
        attrs = {key: _text(candidate.attributes[key]) for key in used if key in candidate.attributes}
        for key, value in attrs.items():
            if value is None:
                problems.append(Problem(f"{label} 的属性 {key} 应为文字，实为 {candidate.attributes[key]!r}", field=key))
        clean = {key: value for key, value in attrs.items() if value}
        for key in _required_attributes(rule):
            if key not in clean:
                problems.append(Problem(f"{label} 缺少属性 {key}", field=key))
        problems += _rule_problems(rule, label, candidate.group, clean)
        group = candidate.group.strip() if isinstance(candidate.group, str) and candidate.group.strip() else None
        entries[code] = PopulationEntry(code, str(candidate.name), group, clean)
    recorded = set()
    for exclusion in exclusions:
        if exclusion.code not in entries:
            problems.append(Problem(f"排除的单位 {exclusion.code!r} 不在抽样总体中", field="exclusions"))
        elif not isinstance(exclusion.reason, str) or not exclusion.reason.strip():
            problems.append(Problem(f"排除单位 {exclusion.code} 时须写明理由", field="exclusions"))
        else:
            recorded.add(Exclusion(exclusion.code, exclusion.reason.strip()))
    if problems:
        raise InputError(problems)
    population = tuple(entries[code] for code in sorted(entries))
    return population, tuple(sorted(recorded, key=lambda e: (e.code, e.reason)))


def stratum_of(rule: Rule, entry: PopulationEntry) -> tuple[str, ...]:
    """The stratum a unit belongs to under a rule."""
    if isinstance(rule, SichuanExitCounties):
        return (entry.attributes[rule.group_attribute],)
    if isinstance(rule, PerGroupFixed):
        group = entry.attributes[rule.group_attribute] if rule.group_attribute else entry.group
        return (str(group), entry.attributes[rule.kind_attribute])
    assert isinstance(rule, ProportionStratified)
    return tuple(entry.attributes[key] for key in rule.stratify_by)
