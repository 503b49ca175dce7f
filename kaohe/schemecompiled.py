"""A validated scheme compiled to plain named tuples: what planning reads of it (``kaohe.schemeshape``),
nothing more, built from JSON without pydantic (named tuples rather than dataclasses: they cost a tenth as
much to define, and this module is imported by every ``kaohe plan``).

The loader compiles every file that loaded and passed the checks, and the scheme cache keeps the JSON
(``kaohe.schemecache``); ``kaohe plan`` of such a file then plans from it without building the model classes.
Planning gives the same plan from either form (tests/cli/test_cli_compiled_plan.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from kaohe import dateexpr
from kaohe.schemeshape import DateSpecLike, HolidayPolicy, Origin, Role, SchemeLike, fed_parent_stage


class CompiledDateSpec(NamedTuple):
    """A date written relative to the assessment year."""

    date: str
    origin: Origin
    note: str | None

    @property
    def expr(self) -> dateexpr.DateExpr:
        """The parsed expression."""
        return dateexpr.parse(self.date)


class CompiledReminderPlan(NamedTuple):
    """When to remind (offsets in working days, sorted, as validated)."""

    stage_opened: bool
    before: tuple[int, ...]
    due_day: bool
    overdue_after: tuple[int, ...]
    escalate_after: tuple[int, ...]
    at: str | None


class CompiledEvent(NamedTuple):
    """A date the coordinator sets per cycle, with its default."""

    name: str
    default: CompiledDateSpec


class CompiledPolicy(NamedTuple):
    """The scheme-wide holiday policy."""

    default: HolidayPolicy


class CompiledValidity(NamedTuple):
    """The assessment years the scheme is in force."""

    first: int
    last: int | None
    clause: str


class CompiledStage(NamedTuple):
    """One stage of the timeline."""

    id: str
    name: str
    kind: str
    actor: Role | None
    clause: str
    submit: tuple[str, ...]
    opens: CompiledDateSpec | None
    due: CompiledDateSpec
    holiday_policy: HolidayPolicy | None
    never_later: bool
    reminders: str | None
    feeds: str | None
    late_reason: str | None

    @property
    def fed_parent_stage(self) -> str | None:
        """The parent stage this stage feeds (see ``kaohe.schemeshape.fed_parent_stage``)."""
        return fed_parent_stage(self.feeds, self.due)


class CompiledScheme(NamedTuple):
    """A scheme as planning reads it."""

    id: str
    parent: str | None
    name: str
    holiday_policy: CompiledPolicy
    events: Mapping[str, CompiledEvent]
    reminder_plans: Mapping[str, CompiledReminderPlan]
    stages: tuple[CompiledStage, ...]
    validity: CompiledValidity | None

    def stage(self, stage_id: str) -> CompiledStage:
        """The stage with this id (KeyError if none)."""
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)


def compile_scheme(scheme: SchemeLike) -> CompiledScheme:
    """The compiled form of a validated scheme."""
    def spec(value: DateSpecLike) -> CompiledDateSpec:
        return CompiledDateSpec(value.date, value.origin, value.note)

    validity = scheme.validity
    return CompiledScheme(
        id=scheme.id, parent=scheme.parent, name=scheme.name, holiday_policy=CompiledPolicy(scheme.holiday_policy.default),
        events={key: CompiledEvent(event.name, spec(event.default)) for key, event in scheme.events.items()},
        reminder_plans={key: CompiledReminderPlan(plan.stage_opened, tuple(plan.before), plan.due_day, tuple(plan.overdue_after),
                                                  tuple(plan.escalate_after), plan.at)
                        for key, plan in scheme.reminder_plans.items()},
        stages=tuple(CompiledStage(s.id, s.name, s.kind, s.actor, s.clause, tuple(s.submit), spec(s.opens) if s.opens else None, spec(s.due),
                                   s.holiday_policy, s.never_later, s.reminders, s.feeds, s.late_reason) for s in scheme.stages),
        validity=None if validity is None else CompiledValidity(validity.first, validity.last, validity.clause),
    )


def scheme_data(scheme: CompiledScheme) -> dict[str, Any]:
    """The compiled scheme as JSON-ready data (``compiled_from_data`` reads it back)."""
    def plain(value: Any) -> Any:
        if hasattr(value, "_asdict"):
            return {key: plain(item) for key, item in value._asdict().items()}
        if isinstance(value, Mapping):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, tuple):
            return [plain(item) for item in value]
        return value

    return dict(plain(scheme))


def compiled_from_data(data: Mapping[str, Any]) -> CompiledScheme:
    """The compiled scheme kept as ``scheme_data``; KeyError or TypeError when the data is not such."""
    def spec(value: Mapping[str, Any] | None) -> CompiledDateSpec | None:
        return None if value is None else CompiledDateSpec(**value)

    def plan(value: Mapping[str, Any]) -> CompiledReminderPlan:
        offsets = {key: tuple(value[key]) for key in ("before", "overdue_after", "escalate_after")}
        return CompiledReminderPlan(**{**value, **offsets})

    def stage(value: Mapping[str, Any]) -> CompiledStage:
        return CompiledStage(**{**value, "submit": tuple(value["submit"]), "opens": spec(value["opens"]), "due": spec(value["due"])})

    validity = data["validity"]
    return CompiledScheme(
        id=data["id"], parent=data["parent"], name=data["name"], holiday_policy=CompiledPolicy(**data["holiday_policy"]),
        events={key: CompiledEvent(value["name"], CompiledDateSpec(**value["default"])) for key, value in data["events"].items()},
        reminder_plans={key: plan(value) for key, value in data["reminder_plans"].items()},
        stages=tuple(stage(value) for value in data["stages"]),
        validity=None if validity is None else CompiledValidity(**validity),
    )
