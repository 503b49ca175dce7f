"""The ONE adapter between the portal and the actions it triggers.

Each function here is what a route calls to act. Until the service layer (kaohe/services/, issue #9)
offers the action, the function calls the existing lower-level code with the acting account's name;
swap the body for the service call when it lands (routes do not change). The permission checks that
the services will own are done by the routes' role dependencies and the scope checks below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.db import session_scope
from kaohe.errors import StateError
from kaohe.models import Account, AuditEntry, Cycle
from kaohe.services import Actor, Role, build_context
from kaohe.services.submissions import Submit, SubmitResult, submit
from kaohe.services.uploads import Upload
from kaohe.settings import Settings
from kaohe.store.audit import record
from kaohe.store.results import latest_version, send_feedback
from kaohe.workdays import configured_calendar

if TYPE_CHECKING:
    from kaohe.web.uploads import ReceivedFile


def submit_files(url: str, home: Path, account: Account, cycle_key: str, stage_key: str, *, report: ReceivedFile,
                 scores: ReceivedFile | None, now: dt.datetime) -> SubmitResult:
    """A unit hands in its report (and self-score table) for one stage, as received: stored (moved into
    place, not copied), versioned, audited."""
    if account.unit_code is None:
        raise StateError("此账号不属于任何单位，不能报送材料")

    def upload(received: ReceivedFile, what: str) -> Upload:
        return Upload.streamed(received.path.name, received.path, sha256=received.sha256, size=received.size, what=what)

    command = Submit(actor_of(account), cycle_key, account.unit_code, stage_key, upload(report, "报告文件"),
                     upload(scores, "自评表") if scores is not None else None, at=now)
    return submit(build_context(Settings(database_url=url, home=home)), command)


def actor_of(account: Account) -> Actor:
    """The services' actor for a portal account."""
    return Actor(account.name, Role(account.role), unit=account.unit_code,
                 cycles=frozenset(account.cycles) if account.cycles is not None else None)


@dataclass(frozen=True)
class ApprovalState:
    """Where a result version stands in its approval: each step with who/when (None until recorded)."""

    version: int
    steps: list[dict[str, Any]]

    @property
    def complete(self) -> bool:
        """Every step recorded."""
        return all(step["approved_by"] for step in self.steps)

    @property
    def next_step(self) -> dict[str, Any] | None:
        """The first step not recorded yet."""
        return next((step for step in self.steps if not step["approved_by"]), None)


def approval_steps(cycle: Cycle) -> list[dict[str, Any]]:
    """The scheme's approval steps (a default single leader step when the snapshot predates them)."""
    approval = (cycle.scheme_snapshot or {}).get("approval") or {}
    steps = approval.get("steps") or [{"id": "leader", "body": "考核领导机构", "action": "审定", "role": "leader", "clause": "默认"}]
    return [dict(step) for step in steps]


def approval_state(session: Session, cycle: Cycle) -> ApprovalState | None:
    """The approval of the newest result version, read from the audit log; None before any result."""
    version = latest_version(session, cycle)
    if version is None:
        return None
    recorded = {entry.detail.get("step"): entry for entry in session.scalars(
        select(AuditEntry).where(AuditEntry.cycle_id == cycle.id, AuditEntry.action == "results.approved",
                                 AuditEntry.subject == f"v{version.version}").order_by(AuditEntry.id))}
    steps = []
    for step in approval_steps(cycle):
        entry = recorded.get(step["id"])
        steps.append({**step, "approved_by": entry.actor if entry else None, "approved_at": entry.at if entry else None})
    return ApprovalState(version.version, steps)


def approve_results(session: Session, account: Account, cycle: Cycle, step_id: str, *, now: dt.datetime,
                    origin: dict[str, str]) -> ApprovalState:
    """Record the leader's approval of the next step of the newest result version (in order, once)."""
    state = approval_state(session, cycle)
    if state is None:
        raise StateError("尚无考核结果，无需审定")
    step = state.next_step
    if step is None:
        raise StateError(f"第{state.version}版结果已审定完毕")
    if step["id"] != step_id:
        raise StateError(f"应先审定“{step['body']}{step['action']}”这一步")
    if account.role not in (step.get("role") or "leader", "admin"):
        raise StateError(f"这一步须由{step.get('role')}角色审定")
    record(session, actor=account.name, action="results.approved", cycle_id=cycle.id, subject=f"v{state.version}", at=now,
           detail={"step": step["id"], "body": step["body"], "action": step["action"], **origin})
    session.flush()
    state = approval_state(session, cycle)
    assert state is not None
    return state


def send_results(url: str, home: Path, account: Account, cycle_key: str, *, now: dt.datetime) -> dict[str, object]:
    """Send the approved newest results (letters) to the units; refused until every approval step is recorded."""
    from kaohe.store.cycles import get_cycle

    with session_scope(url) as session:
        cycle = get_cycle(session, cycle_key)
        state = approval_state(session, cycle)
        if state is None:
            raise StateError("尚无考核结果")
        if not state.complete:
            step = state.next_step or {}
            raise StateError(f"第{state.version}版结果尚未审定（待“{step.get('body')}{step.get('action')}”），不能发送给各单位")
        return send_feedback(session, cycle, home, by=account.name, now=now, calendar=configured_calendar())
