"""The wire contract of the third-party evaluator API, as pydantic models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Severity = Literal["一般", "较重", "严重"]
ReviewStatus = Literal["pending", "partial", "complete"]

SEVERITIES: tuple[str, ...] = ("一般", "较重", "严重")
STATUSES: tuple[str, ...] = ("pending", "partial", "complete")

_Share = Field(ge=0, le=1, strict=True, allow_inf_nan=False)


class SampledUnit(BaseModel):
    """One unit of the spot-check sample sent for review."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(min_length=1)
    name: str
    attributes: dict[str, Any] = Field(default_factory=dict)


class ReviewRequest(BaseModel):
    """Body of ``POST /v1/reviews``: a spot-check sample to evaluate."""

    model_config = ConfigDict(frozen=True)

    review_id: str = Field(min_length=1)
    cycle: str = Field(min_length=1)
    units: tuple[SampledUnit, ...] = Field(min_length=1)
    callback: None = None

    @model_validator(mode="after")
    def _codes_unique(self) -> ReviewRequest:
        codes = [unit.code for unit in self.units]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"抽样单位重复：{'、'.join(repeated)}")
        return self

    @property
    def unit_codes(self) -> tuple[str, ...]:
        """The codes of the sampled units, in sample order."""
        return tuple(unit.code for unit in self.units)


class Ack(BaseModel):
    """Answer 202 to ``POST /v1/reviews``: the evaluator accepted the review."""

    model_config = ConfigDict(frozen=True)

    review_id: str
    status: Literal["accepted"]


class Finding(BaseModel):
    """One entry of a unit's problem list (问题清单)."""

    model_config = ConfigDict(frozen=True)

    item: str = Field(strict=True)
    severity: Severity
    description: str = Field(strict=True)


class UnitResult(BaseModel):
    """The evaluator's result for one sampled unit; shares are between 0 and 1."""

    model_config = ConfigDict(frozen=True)

    unit: str = Field(min_length=1, strict=True)
    identification_accuracy: float = _Share
    exit_accuracy: float = _Share
    satisfaction: float = _Share
    findings: tuple[Finding, ...] = ()


class ReviewAnswer(BaseModel):
    """Answer 200 to ``GET /v1/reviews/{review_id}`` as the evaluator sends it."""

    review_id: str
    status: ReviewStatus
    results: list[UnitResult] = Field(default_factory=list)


class ReviewResult(BaseModel):
    """What kaohe made of one answer: the valid results, what was wrong, and what is still missing."""

    model_config = ConfigDict(frozen=True)

    review_id: str
    status: ReviewStatus | None
    results: tuple[UnitResult, ...] = ()
    problems: tuple[str, ...] = ()
    missing_units: tuple[str, ...] = ()
    complete: bool = False
