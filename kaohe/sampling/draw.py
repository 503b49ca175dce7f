"""The pure draw: rule, candidates, seed and exclusions in; a verifiable record out."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from kaohe.errors import InputError, Problem
from kaohe.sampling.hashing import (
    ALGORITHM_VERSION,
    canonical_json,
    seed_hash,
    sha256_hex,
)
from kaohe.sampling.population import PopulationEntry, build_population
from kaohe.sampling.record import DrawRecord, record_hash
from kaohe.sampling.rules import Rule, parse_rule
from kaohe.sampling.strategies import select, shortfall_of
from kaohe.sampling.units import Candidate, Exclusion


def _inputs_hash(rule: Rule, population: Iterable[PopulationEntry], exclusions: Iterable[Exclusion]) -> str:
    return sha256_hex(canonical_json({
        "algorithm_version": ALGORITHM_VERSION,
        "rule": rule.to_dict(),
        "population": [entry.to_dict() for entry in population],
        "exclusions": [exclusion.to_dict() for exclusion in exclusions],
    }))


def inputs_hash(rule: Rule | Mapping[str, Any], candidates: Iterable[Candidate], exclusions: Iterable[Exclusion] = ()) -> str:
    """The commitment to everything a draw depends on except the seed; publish it with the seed hash."""
    parsed = parse_rule(rule)
    population, recorded = build_population(parsed, candidates, exclusions)
    return _inputs_hash(parsed, population, recorded)


def draw(
    rule: Rule | Mapping[str, Any],
    candidates: Iterable[Candidate],
    seed: str,
    exclusions: Iterable[Exclusion] = (),
    *,
    expected_seed_hash: str | None = None,
) -> DrawRecord:
    """Draw units under a rule with a recorded seed; excluded units are removed first, shortfalls recorded."""
    parsed = parse_rule(rule)
    if not isinstance(seed, str) or not seed:
        raise InputError(Problem("种子应为非空字符串（先生成并公布其哈希，再抽取）", field="seed"))
    if expected_seed_hash is not None and seed_hash(seed) != expected_seed_hash.strip().lower():
        raise InputError(Problem("种子与事先公布的种子哈希（seed_hash）不符", field="seed"))
    population, recorded = build_population(parsed, candidates, exclusions)
    strata = select(parsed, population, {exclusion.code for exclusion in recorded}, seed)
    shortfalls = tuple(s for s in (shortfall_of(result) for result in strata) if s is not None)
    unsigned = DrawRecord(
        algorithm_version=ALGORITHM_VERSION,
        rule=parsed.to_dict(),
        seed=seed,
        seed_hash=seed_hash(seed),
        inputs_hash=_inputs_hash(parsed, population, recorded),
        population=population,
        exclusions=recorded,
        strata=strata,
        shortfalls=shortfalls,
        record_hash="",
    )
    return dataclasses.replace(unsigned, record_hash=record_hash(unsigned.body()))
