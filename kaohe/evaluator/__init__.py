"""The third-party review boundary (第三方评估): send a spot-check sample to an evaluator, collect its results.

API contract (JSON over HTTPS, UTF-8; every request carries ``Authorization: Bearer <KAOHE_EVALUATOR_TOKEN>``,
a missing or wrong token answers 401)::

    POST /v1/reviews
        Idempotency-Key: <review_id>
        {"review_id": str, "cycle": str,
         "units": [{"code": str, "name": str, "attributes": {...}}, ...],   # at least one, codes unique
         "callback": null}                                                 # reserved: kaohe polls
    -> 202 {"review_id": str, "status": "accepted"}
       Re-sending the same review_id with the same body gives the same answer and no new work;
       the same review_id with a different sample is refused with 409. Bad body: 422; key ≠ review_id: 400.

    GET /v1/reviews/{review_id}
    -> 200 {"review_id": str, "status": "pending" | "partial" | "complete",
            "results": [{"unit": <code>,
                         "identification_accuracy": 0..1,    # 识别准确率
                         "exit_accuracy": 0..1,              # 退出准确率
                         "satisfaction": 0..1,               # 群众满意度
                         "findings": [{"item": str, "severity": "一般" | "较重" | "严重",
                                       "description": str}]}]}   # 问题清单
       ``results`` holds one entry per sampled unit evaluated so far; "complete" means every unit has one.
       Unknown review: 404. Fields not listed here are ignored (forward compatible).

    Transient failures: timeouts, network errors, 429 and 5xx (``Retry-After`` in seconds is honoured);
    the client retries them with exponential back-off. Any other 4xx is final.

The pydantic models in ``contract`` are the contract in code: ``ReviewRequest``/``SampledUnit`` (request),
``Ack`` (202 answer), ``ReviewAnswer``/``UnitResult``/``Finding`` (200 answer). ``ReviewResult`` is what
kaohe makes of an answer: the valid ``results``, the ``problems`` found, the ``missing_units`` (sampled
units without a valid result yet) and ``complete``. ``EvaluatorClient`` stores nothing; the caller persists.
"""

from kaohe.evaluator.answer import read_ack, read_review_answer
from kaohe.evaluator.client import EvaluatorClient
from kaohe.evaluator.contract import (
    Ack,
    Finding,
    ReviewAnswer,
    ReviewRequest,
    ReviewResult,
    SampledUnit,
    UnitResult,
)
from kaohe.evaluator.errors import EvaluatorAnswerError, EvaluatorHTTPError

__all__ = [
    "Ack",
    "EvaluatorAnswerError",
    "EvaluatorClient",
    "EvaluatorHTTPError",
    "Finding",
    "ReviewAnswer",
    "ReviewRequest",
    "ReviewResult",
    "SampledUnit",
    "UnitResult",
    "read_ack",
    "read_review_answer",
]
