"""Reading a scheme's ``scoring:`` section into a ScoringSpec; every problem names the file and field."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kaohe.errors import NotFoundError, Problem, SchemeError
from kaohe.scoring.spec import ScoringSpec
from kaohe.settings import get_settings

_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "string_pattern_mismatch": "格式不符（小写字母、数字、下划线）",
    "too_short": "不能为空",
}


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
    """The ScoringSpec of ``schemes/<scheme>.yaml`` (None when its ``scoring:`` is null)."""
    directory = schemes_dir if schemes_dir is not None else get_settings().schemes_dir
    path = directory / f"{scheme}.yaml"
    name = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"没有 id 为 {scheme!r} 的方案文件：{name}") from None
    except UnicodeDecodeError:
        raise SchemeError(Problem("不是 UTF-8 编码的文本", file=name)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise SchemeError(Problem(f"YAML 语法错误：{getattr(error, 'problem', error)}", file=name, row=row)) from None
    if not isinstance(raw, dict) or "scoring" not in raw:
        raise SchemeError(Problem("方案文件缺少顶层 scoring 键（无计分公式的方案写 scoring: null）", file=name))
    return spec_from_mapping(raw["scoring"], scheme, file=name)


def _problem(file: str | None, raw: Mapping[str, Any], error: Any) -> Problem:
    reason = _MESSAGES.get(error["type"], error["msg"].removeprefix("Value error, "))
    path = _field_path(raw, error["loc"])
    return Problem(reason, file=file, field="scoring" + ("." + path if path else ""))


def _field_path(raw: Any, location: tuple[Any, ...]) -> str:
    parts: list[str] = []
    node = raw
    for key in location:
        if isinstance(key, int):
            label = f"[{key}]"
            if isinstance(node, list) and key < len(node) and isinstance(node[key], dict) and "id" in node[key]:
                label = f"[{key}]({node[key]['id']})"
            parts.append(label)
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(("." if parts else "") + str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return "".join(parts)
