"""The years a scheme is in force (e.g. 四川 第四条 “从2016年到2020年”): planning outside them is refused unless asked for."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


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
        return self.first <= year and (self.last is None or year <= self.last)

    @property
    def text(self) -> str:
        """The period as a reader writes it: 2016—2020年."""
        return f"{self.first}—{self.last}年" if self.last is not None else f"{self.first}年起"


def validity_warning(name: str, validity: Validity | None, year: int) -> str | None:
    """A warning when ``year`` lies outside the scheme's validity period; None inside it or without one."""
    if validity is None or validity.covers(year):
        return None
    return f"{year}年度不在《{name}》的有效期（{validity.text}，{validity.clause}）内"


def require_validity(name: str, validity: Validity | None, year: int, *, outside_validity: bool, option: str = "--outside-validity") -> str | None:
    """Refuse a year outside the validity period unless ``outside_validity``; return the warning to show (or None)."""
    from kaohe.errors import InputError, Problem

    warning = validity_warning(name, validity, year)
    if warning and not outside_validity:
        raise InputError(Problem(f"{warning}；确需按本方案安排该年度，请加 {option}", field="--year"))
    return warning
