"""Constraint indicators (约束指标, 鄂尔多斯 第六条（六）) scored as deductions. Pure.

The source lists them among what a banner or district (旗区) is assessed on — 党风廉政建设责任制落实情况、
资金使用违规违纪情况、扶贫领域作风建设情况等 — and nowhere among a city department's contents (第七条). It names
no amount and no method. The scheme file states the default it uses, visibly and changeably::

    constraints:
      clause: 第六条（六）
      applies_to: [旗区]               # the roster's 类别 the indicators apply to
      points_per_finding: 1            # deducted for each verified finding (查实的问题)
      cap: null                        # at most this much in all (null: no cap)
      items: [{id: integrity, name: 党风廉政建设责任制落实情况}, …]
      note: why the default was chosen (an open point)

Each unit's input is, per indicator, the number of verified findings (a whole number; 是 = 1, 否 or blank = 0).
A unit whose category the indicators do not apply to must have none: giving it one is an error, not a silent
zero, because the source does not assess it on them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kaohe.errors import Problem


class ConstraintItem(BaseModel):
    """One constraint indicator."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)


class ConstraintIndicators(BaseModel):
    """The scheme's constraint indicators and the deduction rule it states."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clause: str
    applies_to: tuple[str, ...] = Field(min_length=1, description="roster categories (类别) assessed on them")
    points_per_finding: Decimal = Field(gt=0, le=100)
    cap: Decimal | None = Field(default=None, gt=0, le=100)
    items: tuple[ConstraintItem, ...] = Field(min_length=1)
    note: str = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> ConstraintIndicators:
        ids = [i.id for i in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("约束指标 id 重复")
        return self


@dataclass(frozen=True)
class ConstraintResult:
    """One unit's deduction: findings per indicator (by name), the deduction before and after the cap."""

    unit: str
    name: str
    category: str
    findings: Mapping[str, int]
    deduction: Decimal
    capped: bool

    def to_json(self) -> dict[str, object]:
        """As ``kaohe constraints --json`` prints it."""
        return {"unit": self.unit, "name": self.name, "category": self.category, "findings": dict(self.findings),
                "deduction": format(self.deduction, "f"), "capped": self.capped}


def applies(rule: ConstraintIndicators, category: str) -> bool:
    """Whether units of roster category ``category`` are assessed on the constraint indicators."""
    return category.strip() in rule.applies_to


def deduction(rule: ConstraintIndicators, unit: str, name: str, category: str, findings: Mapping[str, int],
              *, file: str | None = None, row: int | None = None) -> ConstraintResult | list[Problem]:
    """The unit's deduction: ``points_per_finding`` × all findings, at most ``cap``; problems instead when the
    findings are negative, name an unknown indicator, or are given for a category the indicators do not apply to."""
    known = {i.id: i.name for i in rule.items}
    problems = [Problem(f"没有约束指标“{key}”", file=file, row=row, field=key) for key in findings if key not in known]
    problems += [Problem(f"查实问题数 {count} 不能为负", file=file, row=row, field=known.get(key, key))
                 for key, count in findings.items() if count < 0]
    total_findings = sum(count for count in findings.values() if count > 0)
    if not applies(rule, category) and total_findings:
        problems.append(Problem(f"类别“{category}”不考核约束指标（{rule.clause}只适用于{'、'.join(rule.applies_to)}），不应填写查实问题",
                                file=file, row=row, field="类别"))
    if problems:
        return problems
    raw = rule.points_per_finding * total_findings
    capped = rule.cap is not None and raw > rule.cap
    return ConstraintResult(unit, name, category, {known[k]: findings.get(k, 0) for k in known},
                            rule.cap if capped and rule.cap is not None else raw, capped)


def rule_text(rule: ConstraintIndicators) -> str:
    """The rule in words, for reports and the command's notes."""
    cap = f"，合计最多扣{format(rule.cap, 'f')}分" if rule.cap is not None else "，合计不设上限"
    return (f"约束指标（{rule.clause}：{'、'.join(i.name for i in rule.items)}）只考核{'、'.join(rule.applies_to)}；"
            f"每查实一个问题扣{format(rule.points_per_finding, 'f')}分{cap}（默认：{rule.note}）")
