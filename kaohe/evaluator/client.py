"""HTTP client for the third-party evaluator: submit a sample, collect its results, retry what is transient."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from kaohe.errors import ConfigError, StateError
from kaohe.evaluator.answer import read_ack, read_review_answer
from kaohe.evaluator.contract import Ack, ReviewRequest, ReviewResult
from kaohe.evaluator.errors import EvaluatorAnswerError, EvaluatorHTTPError
from kaohe.limits import limits
from kaohe.settings import SecretStr, Settings

Sleep = Callable[[float], Awaitable[object]]

_REFUSALS = {
    401: "第三方评估机构不认可访问令牌（HTTP 401），请检查 KAOHE_EVALUATOR_TOKEN",
    403: "第三方评估机构拒绝访问（HTTP 403），请检查 KAOHE_EVALUATOR_TOKEN 的权限",
    404: "第三方评估机构找不到该评审（HTTP 404）",
    409: "该评审编号已用于另一份抽样（HTTP 409），请换用新的评审编号",
}


class EvaluatorClient:
    """Submits spot-check samples to a third-party evaluator and collects its results; stores nothing."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        token: SecretStr | str,
        *,
        attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        deadline: float | None = None,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._token = token if isinstance(token, SecretStr) else SecretStr(token)
        if not self._token.get_secret_value().isascii() or not self._token.get_secret_value().isprintable():
            raise ConfigError("第三方评估访问令牌只能由 ASCII 可见字符组成，请检查 KAOHE_EVALUATOR_TOKEN")
        self._attempts = attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._sleep = sleep
        self._deadline = deadline if deadline is not None else limits().evaluator_deadline_seconds
        self._samples: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_settings(cls, http: httpx.AsyncClient, settings: Settings, **options: Any) -> EvaluatorClient:
        """A client for ``KAOHE_EVALUATOR_URL`` and ``KAOHE_EVALUATOR_TOKEN``; ``ConfigError`` if either is unset."""
        if not settings.evaluator_url:
            raise ConfigError("未配置第三方评估接口地址：请设置 KAOHE_EVALUATOR_URL")
        if settings.evaluator_token is None or not settings.evaluator_token.get_secret_value():
            raise ConfigError("未配置第三方评估访问令牌：请设置 KAOHE_EVALUATOR_TOKEN")
        options.setdefault("deadline", settings.evaluator_deadline_seconds)
        return cls(http, settings.evaluator_url, settings.evaluator_token, **options)

    def __repr__(self) -> str:
        return f"EvaluatorClient(base_url={self._base_url!r}, attempts={self._attempts})"

    async def submit(self, review: ReviewRequest) -> Ack:
        """Send a sample for review; safe to repeat, the review id is the idempotency key."""
        response = await self._send(
            "POST",
            f"{self._base_url}/v1/reviews",
            what=f"提交评审 {review.review_id}",
            body=review.model_dump(mode="json"),
            headers={"Idempotency-Key": review.review_id},
        )
        ack = read_ack(response.content, review_id=review.review_id)
        self._samples[review.review_id] = review.unit_codes
        return ack

    async def collect(self, review_id: str, *, sample: Sequence[str] | None = None) -> ReviewResult:
        """Fetch the results so far; a broken answer raises ``EvaluatorAnswerError``, its ``result`` keeps the valid part.

        ``sample`` is the unit codes sent for review; it defaults to what this client submitted under ``review_id``.
        """
        codes = self._sample_of(review_id, sample)
        response = await self._send(
            "GET", f"{self._base_url}/v1/reviews/{quote(review_id, safe='')}", what=f"查询评审 {review_id}"
        )
        result = read_review_answer(response.content, review_id=review_id, sample=codes)
        if result.problems:
            raise EvaluatorAnswerError(result)
        return result

    async def wait_for_results(
        self,
        review_id: str,
        *,
        poll_interval: float = 60.0,
        max_polls: int = 30,
        sample: Sequence[str] | None = None,
    ) -> ReviewResult:
        """Poll until the review is complete or ``max_polls`` answers came; the last answer may be partial."""
        if max_polls < 1:
            raise ValueError("max_polls must be at least 1")
        result = await self.collect(review_id, sample=sample)
        for _ in range(max_polls - 1):
            if result.complete:
                break
            await self._sleep(poll_interval)
            result = await self.collect(review_id, sample=sample)
        return result

    def _sample_of(self, review_id: str, sample: Sequence[str] | None) -> tuple[str, ...]:
        if sample is not None:
            return tuple(sample)
        if review_id in self._samples:
            return self._samples[review_id]
        raise StateError(f"不知道评审 {review_id} 的抽样单位：请传入 sample，或先用同一客户端提交该评审")

    async def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """The request with retries, all of it within the overall deadline (a server that trickles its answer a
        byte at a time never trips httpx's per-read timeout)."""
        all_headers = {
            "Authorization": f"Bearer {self._token.get_secret_value()}",
            "Accept": "application/json",
            **(headers or {}),
        }

        def request() -> Awaitable[httpx.Response]:
            return self._http.request(method, url, json=body, headers=all_headers)

        try:
            async with asyncio.timeout(self._deadline):
                return await self._retrying(request, what=what, where=f"{method} {url}")
        except TimeoutError:
            raise EvaluatorHTTPError(
                f"{what} 失败：{self._deadline:g} 秒内未收到完整答复（总时限，设置 KAOHE_EVALUATOR_DEADLINE_SECONDS）（{method} {url}）",
                retryable=True,
            ) from None

    async def _retrying(
        self, request: Callable[[], Awaitable[httpx.Response]], *, what: str, where: str
    ) -> httpx.Response:
        """``request`` until it succeeds, is refused for good, or the attempts are used up (transient
        failures: timeouts, network errors, HTTP 429 and 5xx, with backoff and ``Retry-After``)."""
        failure, status_code = "", None
        for attempt in range(1, self._attempts + 1):
            retry_after = None
            try:
                response = await request()
            except httpx.TimeoutException:
                failure, status_code = "请求超时", None
            except httpx.TransportError as error:
                failure, status_code = f"网络错误（{type(error).__name__}）", None
            except httpx.RequestError as error:
                raise EvaluatorHTTPError(f"{what} 失败：{type(error).__name__}（{where}）") from error
            else:
                status_code = response.status_code
                if response.is_success:
                    return response
                if status_code != 429 and status_code < 500:
                    reason = _REFUSALS.get(status_code, f"HTTP {status_code}")
                    raise EvaluatorHTTPError(f"{what} 被拒绝：{reason}{_detail(response)}", status_code=status_code)
                failure = f"HTTP {status_code}{_detail(response)}"
                retry_after = _retry_after(response)
            if attempt < self._attempts:
                await self._sleep(self._backoff(attempt, retry_after))
        raise EvaluatorHTTPError(
            f"{what} 失败：已尝试 {self._attempts} 次，最后一次{failure}（{where}）",
            status_code=status_code,
            retryable=True,
        )

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        delay: float = self._base_delay * 2 ** (attempt - 1)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, self._max_delay)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = response.text
    text = " ".join(str(detail or "").split())
    if not text:
        return ""
    return f"：{text[:200]}"
