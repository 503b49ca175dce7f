"""Reading a scheme's ``scoring:`` section into a ScoringSpec; every problem names the file and field."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kaohe.errors import Problem, SchemeError
from kaohe.schemes.loader import PYDANTIC_MESSAGES, field_path
from kaohe.scoring.spec import ScoringSpec
from kaohe.settings import get_settings


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


def load_spec(scheme: str, schemes_dir: Path | None = None) -> ScoringSpec | None:
    """The ScoringSpec of scheme ``scheme`` (an id or a path; None when its ``scoring:`` is null)."""
    from kaohe.schemes.loader import find_scheme, load_scheme_file

    path = find_scheme(scheme, schemes_dir if schemes_dir is not None else get_settings().schemes_dir)
    loaded = load_scheme_file(path)
    return spec_from_mapping(loaded.scoring, loaded.id, file=str(path))


def _problem(file: str | None, raw: Mapping[str, Any], error: Any) -> Problem:
    reason = PYDANTIC_MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
    path = field_path(raw, error["loc"])
    return Problem(reason, file=file, field="scoring" + ("." + path if path else ""))
