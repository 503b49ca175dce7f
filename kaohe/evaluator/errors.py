"""Errors of the evaluator boundary, both kinds of ``ExternalServiceError``."""

from __future__ import annotations

from kaohe.errors import ExternalServiceError
from kaohe.evaluator.contract import ReviewResult


class EvaluatorHTTPError(ExternalServiceError):
    """The evaluator refused a request (4xx) or kept failing after every retry."""

    def __init__(self, message: str, *, status_code: int | None = None, retryable: bool = False) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.retryable = retryable


class EvaluatorAnswerError(ExternalServiceError):
    """The evaluator's answer broke the contract; ``result`` keeps every valid part of it."""

    def __init__(self, result: ReviewResult) -> None:
        self.result = result
        first = result.problems[0] if result.problems else "答复不合规"
        more = f"（另有 {len(result.problems) - 1} 处问题）" if len(result.problems) > 1 else ""
        super().__init__(f"第三方评估答复有误（评审 {result.review_id}）：{first}{more}")

    def details(self) -> list[str]:
        """Every problem, one line each."""
        return list(self.result.problems)
