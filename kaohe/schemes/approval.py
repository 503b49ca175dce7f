"""Approval before publication: the bodies that must approve results before they reach units.

A scheme file may carry a top-level ``approval:`` section (steps in order, an optional 公示 period);
a scheme without one gets a single default step recorded by the leader role, and an open point
says so.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ApprovalRole = Literal["admin", "coordinator", "leader"]

DEFAULT_BODY = "考核领导机构"
DEFAULT_OPEN_POINT = "方案未写明结果审定机构：默认由考核领导机构（角色 leader）审定一步后方可向被考核单位发布（approval）。"


class ApprovalStep(BaseModel):
    """One approving body's action (审议、审定 …), recorded in kaohe by an account of ``role``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    body: str = Field(min_length=1)
    action: str = Field(min_length=1)
    role: ApprovalRole = "leader"
    clause: str = Field(min_length=1)
    note: str | None = None


class Approval(BaseModel):
    """Every step must be recorded, in order, before results reach units; then the 公示 period runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    steps: tuple[ApprovalStep, ...] = Field(min_length=1)
    publicity_days: int | None = Field(default=None, ge=1, le=30, description="公示 period in working days after the last step")
    publicity_clause: str | None = None
    note: str | None = None
    default: bool = Field(default=False, description="true when the scheme file has no approval section")

    @model_validator(mode="after")
    def _consistent(self) -> Approval:
        ids = [s.id for s in self.steps]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"审定步骤 id 重复：{', '.join(dupes)}")
        if self.publicity_days is not None and not self.publicity_clause:
            raise ValueError("设置了公示期（publicity_days）时须用 publicity_clause 写明依据条款")
        return self

    def step(self, step_id: str) -> ApprovalStep:
        """The step with this id (KeyError if none)."""
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)


def default_approval() -> Approval:
    """The approval of a scheme whose file names no approving body."""
    return Approval(
        steps=(ApprovalStep(id="leading_group", body=DEFAULT_BODY, action="审定", role="leader", clause="方案未规定",
                            note="默认：方案未写明审定机构"),),
        default=True,
    )
