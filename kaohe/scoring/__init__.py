"""Scoring as data and a pure engine: formulas, grades, quotas and multi-year rules of a scheme.

The names below are imported on first use (PEP 562), so reading a scheme's ``scoring:`` section
(``kaohe schemes``, ``kaohe plan``) does not load the engine, the sheet reader or the reports.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_HOMES = {
    "score": "engine",
    "PreviousResult": "inputs", "UnitInput": "inputs",
    "spec_from_mapping": "loader",
    "ComponentLine": "result", "Decision": "result", "ItemLine": "result", "MultiYearFlag": "result", "ScoreReport": "result",
    "UnitResult": "result",
    "parse_previous": "sheet", "parse_score_sheet": "sheet", "read_previous": "sheet", "read_score_sheet": "sheet",
    "score_files": "sheet", "sheet_template": "sheet",
    "ScoringSpec": "spec",
}

__all__ = [
    "ComponentLine", "Decision", "ItemLine", "MultiYearFlag", "PreviousResult", "ScoreReport", "ScoringSpec", "UnitInput",
    "UnitResult", "parse_previous", "parse_score_sheet", "read_previous", "read_score_sheet", "score",
    "score_files", "sheet_template", "spec_from_mapping",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'kaohe.scoring' has no attribute {name!r}")
    value = getattr(import_module(f"kaohe.scoring.{home}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from kaohe.scoring.engine import score
    from kaohe.scoring.inputs import PreviousResult, UnitInput
    from kaohe.scoring.loader import spec_from_mapping
    from kaohe.scoring.result import ComponentLine, Decision, ItemLine, MultiYearFlag, ScoreReport, UnitResult
    from kaohe.scoring.sheet import (
        parse_previous,
        parse_score_sheet,
        read_previous,
        read_score_sheet,
        score_files,
        sheet_template,
    )
    from kaohe.scoring.spec import ScoringSpec
