"""The years a scheme is in force (e.g. 四川 第四条 “从2016年到2020年”): planning outside them is refused unless asked for."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kaohe.schemeshape import covers, period_text, require_validity, validity_warning

__all__ = ["Validity", "require_validity", "validity_warning"]


class Validity(BaseModel):
    """Assessment years ``first``..``last`` (inclusive) the source names; ``last`` None when open-ended."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    first: int = Field(ge=2000, le=2100)
    last: int | None = Field(default=None, ge=2000, le=2100)
    clause: str = Field(min_length=1)
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"有效期末年 {self.last} 早于首年 {self.first}")
        return self

    def covers(self, year: int) -> bool:
        """Whether assessment year ``year`` lies inside the period."""
        return covers(self, year)

    @property
    def text(self) -> str:
        """The period as a reader writes it: 2016—2020年."""
        return period_text(self)
