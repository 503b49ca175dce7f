"""Scoring as data and a pure engine: formulas, grades, quotas and multi-year rules of a scheme."""

from kaohe.scoring.engine import score
from kaohe.scoring.inputs import PreviousResult, UnitInput
from kaohe.scoring.loader import load_spec, spec_from_mapping
from kaohe.scoring.result import (
    ComponentLine,
    Decision,
    ItemLine,
    MultiYearFlag,
    ScoreReport,
    UnitResult,
)
from kaohe.scoring.sheet import (
    parse_previous,
    parse_score_sheet,
    read_previous,
    read_score_sheet,
    score_files,
    sheet_template,
)
from kaohe.scoring.spec import ScoringSpec

__all__ = [
    "ComponentLine",
    "Decision",
    "ItemLine",
    "MultiYearFlag",
    "PreviousResult",
    "ScoreReport",
    "ScoringSpec",
    "UnitInput",
    "UnitResult",
    "load_spec",
    "parse_previous",
    "parse_score_sheet",
    "read_previous",
    "read_score_sheet",
    "score",
    "score_files",
    "sheet_template",
    "spec_from_mapping",
]
