"""What planning reads of a scheme, in whichever form it comes: the validated model (``kaohe.schemes.model``)
or the compiled form a clean file leaves in the scheme cache (``kaohe.schemecompiled``).

Protocols, the names and the pure rules both forms share. No pydantic here, so a plan of a cached file does
not import it (nor the ``kaohe.schemes`` package, whose loader does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from kaohe import dateexpr

HolidayPolicy = Literal["keep", "next", "previous"]
Role = Literal["assessed", "verifier", "lead_assessor", "coordinator", "third_party", "organization_dept"]
Origin = Literal["source", "default"]

POLICY_NAMES = {"keep": "保持原日期", "next": "顺延至下一个工作日", "previous": "提前至前一个工作日"}
ROLE_NAMES = {
    "assessed": "被考核单位",
    "verifier": "核查单位",
    "lead_assessor": "牵头考核单位",
    "coordinator": "协调办公室",
    "third_party": "第三方评估机构",
    "organization_dept": "组织部",
}


class DateSpecLike(Protocol):
    """A date written relative to the assessment year (``Y+1-01-23``, ``stage.x.due - 3 days`` …)."""

    @property
    def date(self) -> str: ...
    @property
    def origin(self) -> Origin: ...
    @property
    def note(self) -> str | None: ...
    @property
    def expr(self) -> dateexpr.DateExpr: ...


class ReminderPlanLike(Protocol):
    """When to remind: working days before the due date, on it, and after it."""

    @property
    def stage_opened(self) -> bool: ...
    @property
    def before(self) -> Sequence[int]: ...
    @property
    def due_day(self) -> bool: ...
    @property
    def overdue_after(self) -> Sequence[int]: ...
    @property
    def escalate_after(self) -> Sequence[int]: ...
    @property
    def at(self) -> str | None: ...


class EventLike(Protocol):
    """A date the coordinator sets per cycle, with its default."""

    @property
    def name(self) -> str: ...
    @property
    def default(self) -> DateSpecLike: ...


class PolicyLike(Protocol):
    """The scheme-wide holiday policy."""

    @property
    def default(self) -> HolidayPolicy: ...


class ValidityLike(Protocol):
    """The assessment years a scheme is in force."""

    @property
    def first(self) -> int: ...
    @property
    def last(self) -> int | None: ...
    @property
    def clause(self) -> str: ...


class StageLike(Protocol):
    """One stage of the yearly timeline."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor(self) -> Role | None: ...
    @property
    def clause(self) -> str: ...
    @property
    def submit(self) -> Sequence[str]: ...
    @property
    def opens(self) -> DateSpecLike | None: ...
    @property
    def due(self) -> DateSpecLike: ...
    @property
    def holiday_policy(self) -> HolidayPolicy | None: ...
    @property
    def never_later(self) -> bool: ...
    @property
    def reminders(self) -> str | None: ...
    @property
    def feeds(self) -> str | None: ...
    @property
    def late_reason(self) -> str | None: ...
    @property
    def fed_parent_stage(self) -> str | None: ...


class SchemeLike(Protocol):
    """A whole scheme as planning reads it."""

    @property
    def id(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def holiday_policy(self) -> PolicyLike: ...
    @property
    def events(self) -> Mapping[str, EventLike]: ...
    @property
    def reminder_plans(self) -> Mapping[str, ReminderPlanLike]: ...
    @property
    def stages(self) -> Sequence[StageLike]: ...
    @property
    def validity(self) -> ValidityLike | None: ...

    def stage(self, stage_id: str) -> StageLike: ...


def fed_parent_stage(feeds: str | None, due: DateSpecLike) -> str | None:
    """The parent stage a stage feeds: ``feeds``, or the stage of a due date written as ``parent.X.due - N …``
    (a date set before the parent's deadline)."""
    if feeds:
        return feeds
    expr = due.expr
    if expr.kind == "parent" and expr.edge == "due" and expr.shift <= 0:
        return expr.ref
    return None


def covers(validity: ValidityLike, year: int) -> bool:
    """Whether assessment year ``year`` lies inside the period."""
    return validity.first <= year and (validity.last is None or year <= validity.last)


def period_text(validity: ValidityLike) -> str:
    """The period as a reader writes it: 2016—2020年."""
    return f"{validity.first}—{validity.last}年" if validity.last is not None else f"{validity.first}年起"


def validity_warning(name: str, validity: ValidityLike | None, year: int) -> str | None:
    """A warning when ``year`` lies outside the scheme's validity period; None inside it or without one."""
    if validity is None or covers(validity, year):
        return None
    return f"{year}年度不在《{name}》的有效期（{period_text(validity)}，{validity.clause}）内"


def require_validity(name: str, validity: ValidityLike | None, year: int, *, outside_validity: bool, option: str = "--outside-validity") -> str | None:
    """Refuse a year outside the validity period unless ``outside_validity``; return the warning to show (or None)."""
    from kaohe.errors import InputError, Problem

    warning = validity_warning(name, validity, year)
    if warning and not outside_validity:
        raise InputError(Problem(f"{warning}；确需按本方案安排该年度，请加 {option}", field="--year"))
    return warning
