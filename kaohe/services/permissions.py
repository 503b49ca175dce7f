"""The permission model, once: which role may run which action, and on what.

Scope rules, on top of the role table:

- a ``unit`` account acts only on its own unit;
- a ``verifier`` account acts only on the units it verifies (the assessed units of its township) and its own;
  it hands in material only for its own unit;
- a coordinator, leader or lead assessor acts only on its own cycles (``Actor.cycles``; None: all);
- ``admin`` and ``system`` (scheduled flows) are not scoped.

Pure: the service looks up what the scope needs (which verifiers are in charge of a unit) and passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from kaohe.errors import PermissionDeniedError
from kaohe.services.actors import Actor, Role


class Action(StrEnum):
    """Every user action the services offer (also the audit vocabulary of the permission check)."""

    CREATE_CYCLE = "cycle.create"
    IMPORT_ROSTER = "roster.import"
    ADVANCE_CYCLE = "cycle.advance"
    EXTEND_DEADLINE = "deadline.extend"
    CLOSE_SUBMISSIONS = "submissions.close"
    SUBMIT = "submission.submit"
    VERIFY = "verification.score"
    SIGN_OFF = "verification.sign_off"
    DRAW_SAMPLE = "sample.draw"
    VERIFY_SAMPLE = "sample.verify"
    SEND_REVIEW = "review.send"
    COLLECT_REVIEW = "review.collect"
    ISSUE_ORDER = "order.issue"
    SCORE_ORDER = "order.score"
    CLOSE_ORDER = "order.close"
    ACKNOWLEDGE_ORDER = "order.acknowledge"
    REPLY_ORDER = "order.reply"
    SCORE_SPECIAL_VERIFICATION = "special_verification.score"
    AGGREGATE = "results.aggregate"
    APPROVE_RESULTS = "results.approve"
    PUBLISH_RESULTS = "results.publish"
    SEND_FEEDBACK = "feedback.send"
    SUBMIT_RECTIFICATION = "rectification.submit"
    SUBMIT_RECTIFICATION_ITEM = "rectification.submit_item"
    REVIEW_RECTIFICATION = "rectification.review"
    ACKNOWLEDGE_MESSAGE = "message.acknowledge"
    ACKNOWLEDGE_DATE_CHANGE = "dates.acknowledge"
    REPLAN_CYCLES = "cycles.replan"
    ROTATE_CALENDAR_TOKEN = "calendar.rotate_token"
    MANAGE_ACCOUNTS = "accounts.manage"
    SEAL_RECORD = "record.seal"
    RECORD_FAILURE = "failure.record"


A, C, L, U, V, LA, E, S = (Role.ADMIN, Role.COORDINATOR, Role.LEADER, Role.UNIT, Role.VERIFIER, Role.LEAD_ASSESSOR,
                           Role.EVALUATOR, Role.SYSTEM)

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.CREATE_CYCLE: frozenset({A, C, S}),
    Action.IMPORT_ROSTER: frozenset({A, C, S}),
    Action.ADVANCE_CYCLE: frozenset({A, C, S}),
    Action.EXTEND_DEADLINE: frozenset({A, C}),
    Action.CLOSE_SUBMISSIONS: frozenset({A, C, S}),
    Action.SUBMIT: frozenset({A, C, U, V}),
    Action.VERIFY: frozenset({A, C, V}),
    Action.SIGN_OFF: frozenset({A, C, V}),
    Action.DRAW_SAMPLE: frozenset({A, C, LA, S}),
    Action.VERIFY_SAMPLE: frozenset(Role),
    Action.SEND_REVIEW: frozenset({A, C, LA, S}),
    Action.COLLECT_REVIEW: frozenset({A, C, LA, S}),
    Action.ISSUE_ORDER: frozenset({A, C, L}),
    Action.SCORE_ORDER: frozenset({A, C, LA}),
    Action.CLOSE_ORDER: frozenset({A, C, U}),
    Action.ACKNOWLEDGE_ORDER: frozenset({A, C, U}),
    Action.REPLY_ORDER: frozenset({A, C, U}),
    Action.SCORE_SPECIAL_VERIFICATION: frozenset({A, C}),
    Action.AGGREGATE: frozenset({A, C, S}),
    Action.APPROVE_RESULTS: frozenset({A, C, L}),
    Action.PUBLISH_RESULTS: frozenset({A, C, S}),
    Action.SEND_FEEDBACK: frozenset({A, C, S}),
    Action.SUBMIT_RECTIFICATION: frozenset({A, C, U}),
    Action.SUBMIT_RECTIFICATION_ITEM: frozenset({A, C, U}),
    Action.REVIEW_RECTIFICATION: frozenset({A, C, LA}),
    Action.ACKNOWLEDGE_MESSAGE: frozenset({A, C, L, U, V, LA, S}),
    Action.ACKNOWLEDGE_DATE_CHANGE: frozenset({A, C}),
    Action.REPLAN_CYCLES: frozenset({A, S}),
    Action.ROTATE_CALENDAR_TOKEN: frozenset({A, C, U}),
    Action.MANAGE_ACCOUNTS: frozenset({A}),
    Action.SEAL_RECORD: frozenset({A, C, S}),
    Action.RECORD_FAILURE: frozenset({S}),
}
"""Action → the roles that may run it (``sample.verify`` re-runs a published draw: anyone may; an approval step
further requires the role the scheme names for it; ``failure.record`` is a scheduled step recording its own failure)."""

UNSCOPED = frozenset({A, S})
OWN_UNIT_ONLY = frozenset({Action.SUBMIT, Action.SUBMIT_RECTIFICATION, Action.SUBMIT_RECTIFICATION_ITEM, Action.CLOSE_ORDER,
                           Action.ACKNOWLEDGE_ORDER, Action.REPLY_ORDER, Action.ACKNOWLEDGE_MESSAGE, Action.ROTATE_CALENDAR_TOKEN})
"""Actions a verifier account may take only for its own unit (not for the units it verifies)."""
CYCLE_SCOPED = frozenset({C, L, LA, E})
ROLE_NAMES = {A: "管理员", C: "考核办", L: "领导小组", U: "被考核单位", V: "核查单位", LA: "核查组长", E: "第三方评估机构", S: "系统"}


@dataclass(frozen=True)
class Scope:
    """What an action touches: the cycle, the unit (if any) and the verifier units in charge of that unit."""

    cycle: str | None = None
    unit: str | None = None
    verified_by: frozenset[str] = field(default_factory=frozenset)


def may(actor: Actor, action: Action, scope: Scope) -> bool:
    """Whether ``actor`` may run ``action`` on ``scope``."""
    return _refusal(actor, action, scope) is None


def authorize(actor: Actor, action: Action, scope: Scope) -> None:
    """Raise PermissionDeniedError, saying why, unless ``actor`` may run ``action`` on ``scope``."""
    reason = _refusal(actor, action, scope)
    if reason is not None:
        raise PermissionDeniedError(f"{actor.account}（{ROLE_NAMES[actor.role]}）无权执行 {action.value}：{reason}")


def _refusal(actor: Actor, action: Action, scope: Scope) -> str | None:
    if actor.role not in ALLOWED[action]:
        return "该角色不能执行此操作"
    if actor.role in UNSCOPED or action is Action.VERIFY_SAMPLE:
        return None
    if actor.role in CYCLE_SCOPED:
        if actor.cycles is not None and scope.cycle not in actor.cycles:
            return f"不负责周期 {scope.cycle}"
        return None
    if actor.unit is None:
        return "账号未关联单位"
    if actor.role is Role.UNIT:
        if scope.unit != actor.unit:
            return "只能办理本单位的事项" if scope.unit else "该操作不针对单个单位"
        return None
    if actor.role is Role.VERIFIER:
        if scope.unit == actor.unit:
            return None
        if action in OWN_UNIT_ONLY:
            return "只能办理本单位的事项"
        if scope.unit is None or actor.unit not in scope.verified_by:
            return f"不负责核查单位 {scope.unit}" if scope.unit else "该操作不针对单个单位"
        return None
    return "该角色不能执行此操作"
