"""The selection each rule makes, stratum by stratum, from a checked population."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from kaohe.sampling.hashing import ranked
from kaohe.sampling.population import PopulationEntry, stratum_of
from kaohe.sampling.record import Shortfall, StratumResult, stratum_label
from kaohe.sampling.rules import (
    PerGroupFixed,
    ProportionStratified,
    Rule,
    SichuanExitCounties,
)


def _pick(
    stratum: tuple[str, ...], method: str, wanted: int, pool: Sequence[PopulationEntry],
    excluded: Collection[str], seed: str, eligible_parents: Collection[str] | None = None, parent_attribute: str = "",
) -> StratumResult:
    codes = sorted(entry.code for entry in pool)
    out = tuple(code for code in codes if code in excluded)
    ineligible = tuple(
        entry.code for entry in sorted(pool, key=lambda e: e.code)
        if eligible_parents is not None and entry.code not in excluded
        and entry.attributes.get(parent_attribute) not in eligible_parents
    )
    available = [code for code in codes if code not in excluded and code not in ineligible]
    selected = available if method == "all" else ranked(available, seed, stratum)[:wanted]
    return StratumResult(stratum, method, wanted, len(codes), out, ineligible, len(available), tuple(selected))


def _by_stratum(rule: Rule, population: Sequence[PopulationEntry]) -> dict[tuple[str, ...], list[PopulationEntry]]:
    strata: dict[tuple[str, ...], list[PopulationEntry]] = defaultdict(list)
    for entry in population:
        strata[stratum_of(rule, entry)].append(entry)
    return strata


Pool = Sequence[PopulationEntry]


def _sichuan(rule: SichuanExitCounties, population: Pool, excluded: Collection[str], seed: str) -> list[StratumResult]:
    results = []
    for city, members in sorted(_by_stratum(rule, population).items()):
        exiting = [e for e in members if e.attributes[rule.exit_attribute] == "true"]
        if exiting:
            results.append(_pick(city, "all", len(exiting), exiting, excluded, seed))
        else:
            results.append(_pick(city, "random", rule.random_when_none, members, excluded, seed))
    return results


def _per_group(rule: PerGroupFixed, population: Pool, excluded: Collection[str], seed: str) -> list[StratumResult]:
    strata = _by_stratum(rule, population)
    results = []
    for group in sorted({stratum[0] for stratum in strata}):
        drawn: dict[str, tuple[str, ...]] = {}
        for kind in rule.kinds_in_draw_order():
            stratum = (group, kind)
            parent = rule.within_drawn.get(kind)
            if parent is None:
                result = _pick(stratum, "random", rule.quotas[kind], strata.get(stratum, []), excluded, seed)
            else:
                result = _pick(stratum, "random_within_drawn", rule.quotas[kind], strata.get(stratum, []), excluded,
                               seed, drawn[parent], parent)
            drawn[kind] = result.selected
            results.append(result)
    return sorted(results, key=lambda r: r.stratum)


def _proportion(rule: ProportionStratified, population: Pool, excluded: Collection[str], seed: str) -> list[StratumResult]:
    return [
        _pick(stratum, "random", rule.target(len(members)), members, excluded, seed)
        for stratum, members in sorted(_by_stratum(rule, population).items())
    ]


def select(rule: Rule, population: Pool, excluded: Collection[str], seed: str) -> tuple[StratumResult, ...]:
    """Every stratum's selection under a rule, in stratum order."""
    if isinstance(rule, SichuanExitCounties):
        return tuple(_sichuan(rule, population, excluded, seed))
    if isinstance(rule, PerGroupFixed):
        return tuple(_per_group(rule, population, excluded, seed))
    return tuple(_proportion(rule, population, excluded, seed))


def shortfall_of(result: StratumResult) -> Shortfall | None:
    """The shortfall of a stratum, with a Chinese reason, or None when it gave all that was wanted."""
    got = len(result.selected)
    if got >= result.wanted:
        return None
    label = stratum_label(result.stratum)
    parts = [f"共 {result.population} 个"]
    if result.excluded:
        parts.append(f"排除 {len(result.excluded)} 个（{'、'.join(result.excluded)}）")
    if result.ineligible:
        parts.append(f"{len(result.ineligible)} 个不在已抽中的上级单位内")
    detail = "，".join(parts)
    if result.method == "all":
        reason = f"「{label}」应全覆盖检查 {result.wanted} 个，实际只能检查 {got} 个（{detail}）"
    else:
        reason = f"「{label}」应抽取 {result.wanted} 个，可抽单位只有 {got} 个（{detail}），已全部抽取"
    return Shortfall(result.stratum, result.wanted, got, reason)
