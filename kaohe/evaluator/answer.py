"""Read the evaluator's answers: an ``Ack``, or a ``ReviewResult`` that keeps every valid part."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any, cast

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kaohe.errors import ExternalServiceError
from kaohe.evaluator.contract import (
    SEVERITIES,
    STATUSES,
    Ack,
    ReviewResult,
    ReviewStatus,
    UnitResult,
)
from kaohe.limits import json_depth_problem

_SHARE_ERRORS = {"greater_than_equal", "less_than_equal", "float_type", "float_parsing", "finite_number"}


def read_review_answer(body: bytes | str, *, review_id: str, sample: Sequence[str]) -> ReviewResult:
    """Validate an answer against the contract and the sample; every problem is listed, nothing raised."""
    if (reason := json_depth_problem(body)) is not None:
        return _unusable(review_id, sample, f"答复{reason}")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _unusable(review_id, sample, f"答复不是合法的 JSON：{_excerpt(body)}")
    if not isinstance(data, dict):
        return _unusable(review_id, sample, f"答复应为 JSON 对象，实际为 {_show(data)}")

    header = _header_problems(data, review_id)
    if header:
        return _unusable(review_id, sample, *header)
    status: str = data["status"]
    return _read_results(data["results"], review_id=review_id, status=status, sample=sample)


def _header_problems(data: dict[str, Any], review_id: str) -> list[str]:
    problems = []
    if "review_id" not in data:
        problems.append("字段 review_id：缺少该字段")
    elif data["review_id"] != review_id:
        problems.append(f"字段 review_id：应为 {review_id}，实际为 {_show(data['review_id'])}")
    if "status" not in data:
        problems.append("字段 status：缺少该字段")
    elif data["status"] not in STATUSES:
        problems.append(f"字段 status：应为 {'、'.join(STATUSES)} 之一，实际为 {_show(data['status'])}")
    if "results" not in data:
        problems.append("字段 results：缺少该字段")
    elif not isinstance(data["results"], list):
        problems.append(f"字段 results：应为列表，实际为 {_show(data['results'])}")
    return problems


def _read_results(items: list[Any], *, review_id: str, status: str, sample: Sequence[str]) -> ReviewResult:
    in_sample = set(sample)
    problems: list[str] = []
    seen: Counter[str] = Counter()
    rejected: set[str] = set()
    parsed: dict[str, UnitResult] = {}
    for index, raw in enumerate(items, start=1):
        if not isinstance(raw, dict):
            problems.append(f"第 {index} 条结果：应为 JSON 对象，实际为 {_show(raw)}")
            continue
        code = raw.get("unit")
        if not isinstance(code, str) or not code:
            reason = "缺少该字段" if code is None else f"应为单位代码，实际为 {_show(code)}"
            problems.append(f"第 {index} 条结果，字段 unit：{reason}")
            continue
        if code not in in_sample:
            problems.append(f"单位 {code}：不在本次抽样中，其结果不予采用")
            continue
        seen[code] += 1
        try:
            parsed.setdefault(code, UnitResult.model_validate(raw))
        except ValidationError as error:
            problems.extend(f"单位 {code}，字段 {_where(detail)}：{_reason(detail)}" for detail in error.errors())
            rejected.add(code)

    for code, times in seen.items():
        if times > 1:
            problems.append(f"单位 {code}：答复中有 {times} 条结果，均不予采用")
            rejected.add(code)
    valid = {code: result for code, result in parsed.items() if code not in rejected}

    answered = set(seen)
    missing = tuple(code for code in sample if code not in valid)
    silent = [code for code in sample if code not in answered]
    if status == "complete" and silent:
        problems.append(f"字段 status：答复标为 complete，但以下单位没有结果：{'、'.join(silent)}")
    return ReviewResult(
        review_id=review_id,
        status=cast(ReviewStatus, status),
        results=tuple(valid[code] for code in sample if code in valid),
        problems=tuple(problems),
        missing_units=missing,
        complete=status == "complete" and not missing,
    )


def _unusable(review_id: str, sample: Sequence[str], *problems: str) -> ReviewResult:
    return ReviewResult(review_id=review_id, status=None, problems=problems, missing_units=tuple(sample))


def _where(detail: ErrorDetails) -> str:
    path = ""
    for part in detail["loc"]:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "（整条结果）"


def _reason(detail: ErrorDetails) -> str:
    kind, value = detail["type"], detail.get("input")
    field = str(detail["loc"][-1]) if detail["loc"] else ""
    if kind == "missing":
        return "缺少该字段"
    if kind in _SHARE_ERRORS:
        return f"应为 0 到 1 之间的数，实际为 {_show(value)}"
    if kind == "literal_error" and field == "severity":
        return f"应为 {'、'.join(SEVERITIES)} 之一，实际为 {_show(value)}"
    if kind == "literal_error" and field == "status":
        return f"应为 accepted，实际为 {_show(value)}"
    if kind in {"string_type", "string_too_short"}:
        return f"应为非空字符串，实际为 {_show(value)}"
    if kind in {"tuple_type", "list_type"}:
        return f"应为列表，实际为 {_show(value)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"应为 JSON 对象，实际为 {_show(value)}"
    return f"不合规（{detail['msg']}），实际为 {_show(value)}"


def _show(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "…"


def _excerpt(body: bytes | str) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return (text if len(text) <= 60 else text[:57] + "…") or "（空）"


def read_ack(body: bytes | str, *, review_id: str) -> Ack:
    """Validate the answer to ``POST /v1/reviews``; raise ``ExternalServiceError`` naming the bad field."""
    if (reason := json_depth_problem(body)) is not None:
        raise ExternalServiceError(f"提交评审 {review_id} 的答复{reason}")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ExternalServiceError(f"提交评审 {review_id} 的答复不是合法的 JSON：{_excerpt(body)}") from None
    try:
        ack = Ack.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        raise ExternalServiceError(
            f"提交评审 {review_id} 的答复有误：字段 {_where(first)}：{_reason(first)}"
        ) from None
    if ack.review_id != review_id:
        raise ExternalServiceError(
            f"提交评审 {review_id} 的答复有误：字段 review_id：应为 {review_id}，实际为 {_show(ack.review_id)}"
        )
    return ack
