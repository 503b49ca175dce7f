"""Where in a file a validation error is: pydantic's error locations in words a scheme author reads."""

from __future__ import annotations

from typing import Any

PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（拼写错误？）",
    "string_pattern_mismatch": "格式不符",
    "too_short": "不能为空",
}
"""pydantic's error types in Chinese; any other type keeps pydantic's message."""


def field_path(raw: Any, location: tuple[Any, ...]) -> str:
    """``stages[2].due.date`` → ``stages[2](self_report).due.date``: name the stage a reader looks for."""
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
