"""Approval before publication: each approving body's step recorded, in order, by an account of its role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from kaohe.errors import NotFoundError, PermissionDeniedError, StateError
from kaohe.results.approval import approval_state, next_step
from kaohe.services.actors import Actor, Role
from kaohe.services.context import AppContext
from kaohe.services.permissions import ROLE_NAMES, Action, Scope, authorize
from kaohe.store.advance import scheme_of
from kaohe.store.approvals import APPROVED, approval_subject, recorded_approvals
from kaohe.store.cycles import get_cycle
from kaohe.store.results import latest_version


@dataclass(frozen=True)
class ApproveResults:
    """Record approval step ``step`` (None: the next one) of the result version in force."""

    actor: Actor
    cycle: str
    step: str | None = None
    note: str = ""
    origin: Mapping[str, str] = field(default_factory=dict)
    """Where the approval came from (the web request's address and browser), kept in the audit entry."""


@dataclass(frozen=True)
class Approved:
    """The step recorded, the steps still to come and the end of the 公示 period once all are in."""

    cycle: str
    version: int
    step: str
    body: str
    action: str
    by: str
    at: dt.datetime
    remaining: tuple[str, ...]
    publicity_ends: dt.datetime | None

    def to_json(self) -> dict[str, object]:
        """As JSON."""
        return {"cycle": self.cycle, "version": self.version, "step": self.step, "body": self.body, "action": self.action,
                "by": self.by, "at": self.at.isoformat(), "remaining": list(self.remaining),
                "publicity_ends": self.publicity_ends.isoformat() if self.publicity_ends else None}


def approve_results(context: AppContext, command: ApproveResults) -> Approved:
    """Record the step (StateError if out of order, recorded already, or the results were sent); audited."""
    authorize(command.actor, Action.APPROVE_RESULTS, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        version = latest_version(uow.session, cycle)
        if version is None:
            raise StateError(f"周期 {cycle.key} 尚无考核结果，无可审定")
        if version.feedback_sent_at is not None:
            raise StateError(f"第{version.version}版结果已通知各单位，不再审定")
        approval = scheme_of(cycle).approval
        recorded = recorded_approvals(uow.session, cycle, version.version)
        due = next_step(approval, recorded)
        if command.step is not None and command.step not in {s.id for s in approval.steps}:
            raise NotFoundError(f"方案没有审定步骤 {command.step}（有：{'、'.join(s.id for s in approval.steps)}）")
        if due is None or command.step in recorded:
            raise StateError(f"第{version.version}版结果的审定步骤{command.step or ''}已记录")
        if command.step is not None and command.step != due.id:
            raise StateError(f"审定须按顺序：先由{due.body}{due.action}（{due.id}）")
        if command.actor.role not in (Role(due.role), Role.ADMIN):
            raise PermissionDeniedError(f"{command.actor.account}（{ROLE_NAMES[command.actor.role]}）不能记录{due.body}的{due.action}："
                                        f"须由{ROLE_NAMES[Role(due.role)]}账号记录")
        uow.audit(APPROVED, cycle_id=cycle.id, subject=approval_subject(version.version),
                  detail={"version": version.version, "step": due.id, "body": due.body, "action": due.action, "role": due.role,
                          "clause": due.clause, "note": command.note, **command.origin})
        uow.session.flush()
        state = approval_state(approval, recorded_approvals(uow.session, cycle, version.version), context.calendar)
        return Approved(cycle.key, version.version, due.id, due.body, due.action, command.actor.account, uow.now,
                        tuple(s.id for s in state.missing), state.publicity_ends)
