"""What the engine scores: one row per unit, and last year's outcome per unit."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

RawValue = Decimal | int | float | str | bool | None


class UnitInput(BaseModel):
    """One assessed unit's inputs as given: component values, bonus/penalty items, flags.

    ``values`` maps a component id to a number, a scale code (``A2``) or None/blank (no task this year);
    ``items`` maps an item id to a flag (是/否, 1/0), a count or an amount; ``flags`` maps an input-flag id
    to yes/no. The engine validates every value against the scheme.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit: str = Field(min_length=1, description="unit code, compared as text")
    name: str = Field(min_length=1)
    group: str = Field(min_length=1, description="group id or name (township, region, sequence)")
    kind: str | None = Field(default=None, description="group kind id or name; needed for groups not fixed in the scheme")
    values: dict[str, RawValue] = Field(default_factory=dict)
    items: dict[str, RawValue] = Field(default_factory=dict)
    flags: dict[str, RawValue] = Field(default_factory=dict)
    problems: list[str] = Field(default_factory=list, description="problems found by the assessors (存在问题)")
    advice: list[str] = Field(default_factory=list, description="improvement advice from the assessors (改进建议)")
    row: int | None = Field(default=None, description="row in the source file, for error messages")

    @field_validator("unit", "name", "group")
    @classmethod
    def _strip(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("不能为空")
        return stripped


class PreviousResult(BaseModel):
    """Last year's outcome for one unit: which selections (e.g. advanced, bottom) it was in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    unit: str = Field(min_length=1)
    selections: frozenset[str] = frozenset()
    row: int | None = None


class SheetUnit:
    """One row of a score sheet, already checked by the sheet reader: the fields of ``UnitInput``
    without its per-row validation (a sheet of 100,000 rows would spend most of its time there)."""

    __slots__ = ("unit", "name", "group", "kind", "values", "items", "flags", "problems", "advice", "row")

    def __init__(
        self, unit: str, name: str, group: str, kind: str | None, values: Mapping[str, RawValue], items: Mapping[str, RawValue],
        flags: Mapping[str, RawValue], problems: list[str], advice: list[str], row: int | None,
    ) -> None:
        self.unit, self.name, self.group, self.kind, self.row = unit, name, group, kind, row
        self.values, self.items, self.flags, self.problems, self.advice = values, items, flags, problems, advice

    def to_input(self) -> UnitInput:
        """The same unit as a validated ``UnitInput``."""
        return UnitInput(unit=self.unit, name=self.name, group=self.group, kind=self.kind, values=dict(self.values),
                         items=dict(self.items), flags=dict(self.flags), problems=self.problems, advice=self.advice, row=self.row)


UnitSource = UnitInput | SheetUnit
