"""Reading a scheme's ``scoring:`` section into a ScoringSpec; every problem names the file and field.

A scheme carries its parsed specification (``Scheme.scoring_spec``, parsed once when the file is
loaded); this module knows nothing of scheme files, so ``kaohe.schemes`` depends on it, never back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from kaohe.errors import Problem, SchemeError
from kaohe.fieldpaths import PYDANTIC_MESSAGES, field_path
from kaohe.scoring.spec import ScoringSpec


def spec_from_mapping(data: Mapping[str, Any] | None, scheme: str, *, file: str | None = None) -> ScoringSpec | None:
    """The ScoringSpec of a ``scoring:`` mapping (None when the scheme has no formula)."""
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise SchemeError(Problem("scoring 应为映射或 null", file=file, field="scoring"))
    try:
        return ScoringSpec.model_validate({**data, "scheme": scheme})
    except ValidationError as error:
        raise SchemeError([_problem(file, data, e) for e in error.errors()]) from None


def _problem(file: str | None, raw: Mapping[str, Any], error: Any) -> Problem:
    reason = PYDANTIC_MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
    path = field_path(raw, error["loc"])
    return Problem(reason, file=file, field="scoring" + ("." + path if path else ""))
