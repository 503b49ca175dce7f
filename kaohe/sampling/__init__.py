"""Spot-check sampling: pure, reproducible and verifiable draws (no DB, no Prefect, no network).

Use: generate a seed with ``new_seed()``, store it and publish ``seed_hash(seed)`` (and, if wanted,
``inputs_hash(rule, candidates, exclusions)``) before drawing; then ``draw(...)`` returns a
``DrawRecord`` whose ``to_dict()`` is the JSON to keep; ``verify(record_dict)`` re-runs and checks it.
"""

from kaohe.sampling.draw import draw, inputs_hash
from kaohe.sampling.hashing import ALGORITHM_VERSION, new_seed, rank_key, seed_hash
from kaohe.sampling.population import PopulationEntry
from kaohe.sampling.record import DrawRecord, Shortfall, StratumResult
from kaohe.sampling.rules import (
    PerGroupFixed,
    ProportionStratified,
    Rule,
    SichuanExitCounties,
    parse_rule,
)
from kaohe.sampling.units import Candidate, Exclusion
from kaohe.sampling.verify import VerifyReport, verify

__all__ = [
    "ALGORITHM_VERSION", "Candidate", "DrawRecord", "Exclusion", "PerGroupFixed", "PopulationEntry",
    "ProportionStratified", "Rule", "Shortfall", "SichuanExitCounties", "StratumResult", "VerifyReport",
    "draw", "inputs_hash", "new_seed", "parse_rule", "rank_key", "seed_hash", "verify",
]
