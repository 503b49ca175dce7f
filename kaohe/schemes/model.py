"""The shape of a scheme file (``schemes/<id>.yaml``): stages, windows, roles and reminder plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from kaohe import dateexpr
from kaohe.schemes.approval import DEFAULT_OPEN_POINT, Approval, default_approval
from kaohe.schemes.constraints import ConstraintIndicators
from kaohe.schemes.forms import Form
from kaohe.schemes.validity import Validity
from kaohe.schemeshape import POLICY_NAMES, ROLE_NAMES, HolidayPolicy, Origin, Role, fed_parent_stage
from kaohe.scoring.loader import spec_from_mapping
from kaohe.scoring.spec import ScoringSpec

__all__ = ["POLICY_NAMES", "ROLE_NAMES", "DateSpec", "EventSpec", "HolidayPolicy", "Origin", "PolicySpec", "ReminderPlan", "Role",
           "Scheme", "Stage"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DateSpec(_Strict):
    """A date written relative to the assessment year, with where it comes from."""

    date: str
    origin: Origin
    note: str | None = None

    @field_validator("date")
    @classmethod
    def _parses(cls, value: str) -> str:
        dateexpr.parse(value)
        return value

    @model_validator(mode="after")
    def _default_is_explained(self) -> DateSpec:
        if self.origin == "default" and not self.note:
            raise ValueError("origin 为 default 的日期必须用 note 说明为何取此日期")
        return self

    @property
    def expr(self) -> dateexpr.DateExpr:
        """The parsed expression."""
        return dateexpr.parse(self.date)


MAX_REMINDER_OFFSET = 250


class ReminderPlan(_Strict):
    """When to remind: working days before the due date, on it, and after it."""

    stage_opened: bool = True
    before: list[int] = Field(default_factory=list, description="working days before the due date")
    due_day: bool = True
    overdue_after: list[int] = Field(default_factory=list, description="working days after the due date: overdue notice to the unit")
    escalate_after: list[int] = Field(default_factory=list, description="working days after the due date: escalation to the supervisor")
    at: str | None = Field(default=None, description="HH:MM Beijing time; default: settings.office_hours")

    @field_validator("before", "overdue_after", "escalate_after")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(n <= 0 for n in value):
            raise ValueError("工作日偏移应为正整数")
        if any(n > MAX_REMINDER_OFFSET for n in value):
            raise ValueError(f"工作日偏移最多 {MAX_REMINDER_OFFSET} 个工作日（约一年）")
        return sorted(set(value))

    @field_validator("at")
    @classmethod
    def _hh_mm(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            dt.time.fromisoformat(value)
        except ValueError:
            raise ValueError("应为 HH:MM") from None
        return value


class EventSpec(_Strict):
    """A date the coordinator sets per cycle (e.g. a meeting); ``default`` applies until it is set."""

    name: str
    default: DateSpec


class PolicySpec(_Strict):
    """The scheme-wide holiday policy and why it was chosen."""

    default: HolidayPolicy
    note: str


class Stage(_Strict):
    """One stage of the yearly timeline."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    actor: Role | None = None
    body: str | None = Field(default=None, description="the acting body the source names, where it differs from the role's name")
    clause: str
    description: str = ""
    submit: list[str] = Field(default_factory=list)
    opens: DateSpec | None = None
    due: DateSpec
    holiday_policy: HolidayPolicy | None = None
    never_later: bool = Field(default=False, description="no holiday policy may move this deadline later (e.g. materials due days before a meeting)")
    reminders: str | None = None
    sampling: dict[str, Any] | None = None
    feeds: str | None = Field(default=None, description="in a child scheme: the parent stage whose deadline this stage feeds")
    late_reason: str | None = Field(default=None, description="why this stage may end after the parent deadline it feeds")

    @property
    def fed_parent_stage(self) -> str | None:
        """The parent stage this stage feeds: ``feeds``, or the stage of a due date written as
        ``parent.X.due - N …`` (a date set before the parent's deadline)."""
        return fed_parent_stage(self.feeds, self.due)


class Scheme(_Strict):
    """A whole assessment scheme as written in its file."""

    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    parent: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$",
                               description="the scheme this one extends (its stages are inherited; see kaohe.cascade.inherit)")
    name: str
    document: str
    issued: dt.date | None = None
    source: str
    assessed: str
    holiday_policy: PolicySpec
    roles: dict[Role, str]
    events: dict[str, EventSpec] = Field(default_factory=dict)
    reminder_plans: dict[str, ReminderPlan]
    stages: list[Stage] = Field(min_length=1)
    open_points: list[str] = Field(default_factory=list)
    scoring: dict[str, Any] | None = None
    approval: Approval = Field(default_factory=default_approval)
    validity: Validity | None = None
    forms: dict[str, Form] = Field(default_factory=dict, description="scoring component id → the form its score comes from")
    constraints: ConstraintIndicators | None = Field(default=None, description="constraint indicators scored as deductions")
    _scoring_spec: tuple[ScoringSpec | None] | None = PrivateAttr(default=None)
    """The parsed ``scoring:`` section in a 1-tuple (None: not parsed yet)."""

    @property
    def scoring_spec(self) -> ScoringSpec | None:
        """The ``scoring:`` section as a ScoringSpec (None: no formula), parsed once per scheme value.

        The loader parses it when it reads the file (its errors name the file); a scheme built any other
        way (a cycle's snapshot) parses it on first use.
        """
        if self._scoring_spec is None:
            self._scoring_spec = (spec_from_mapping(self.scoring, self.id),)
        return self._scoring_spec[0]

    def attach_scoring_spec(self, spec: ScoringSpec | None) -> None:
        """Record the parsed ``scoring:`` section (the loader's, whose errors name the file)."""
        self._scoring_spec = (spec,)

    @model_validator(mode="before")
    @classmethod
    def _default_approval_is_an_open_point(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("approval") is None and isinstance(data.get("open_points", []), list):
            data = {key: value for key, value in data.items() if key != "approval"}
            data["open_points"] = [*data.get("open_points", []), DEFAULT_OPEN_POINT]
        return data

    @model_validator(mode="after")
    def _forms_feed_components(self) -> Scheme:
        formulas = (self.scoring or {}).get("formulas") or []
        components = {c.get("id") for f in formulas if isinstance(f, dict) for c in f.get("components") or [] if isinstance(c, dict)}
        unknown = sorted(set(self.forms) - components)
        if unknown:
            raise ValueError(f"forms 中的 {', '.join(unknown)} 不是 scoring 中任何公式的分项")
        return self

    @model_validator(mode="after")
    def _references(self) -> Scheme:
        ids = [s.id for s in self.stages]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"阶段 id 重复：{', '.join(dupes)}")
        for stage in self.stages:
            if stage.reminders is not None and stage.reminders not in self.reminder_plans:
                raise ValueError(f"阶段 {stage.id} 的 reminders 引用了未定义的提醒方案 {stage.reminders!r}")
            if stage.actor is not None and stage.actor not in self.roles:
                raise ValueError(f"阶段 {stage.id} 的 actor {stage.actor!r} 未在 roles 中定义")
            for spec in (stage.opens, stage.due):
                if spec is None:
                    continue
                expr = spec.expr
                if expr.kind == "stage" and expr.ref not in ids:
                    raise ValueError(f"阶段 {stage.id} 引用了不存在的阶段 {expr.ref!r}")
                if expr.kind == "event" and expr.ref not in self.events:
                    raise ValueError(f"阶段 {stage.id} 引用了未定义的事件 {expr.ref!r}")
                if expr.kind == "parent" and self.parent is None:
                    raise ValueError(f"阶段 {stage.id} 的日期 {spec.date!r} 引用上级方案，但本方案未用 parent 指定上级方案")
            if (stage.feeds or stage.late_reason) and self.parent is None:
                raise ValueError(f"阶段 {stage.id} 的 feeds/late_reason 只用于指定了 parent 的下级方案")
        return self

    def stage(self, stage_id: str) -> Stage:
        """The stage with this id (KeyError if none)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)
