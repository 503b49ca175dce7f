"""From a portal account to the services: ``actor_of`` (the account as the services' actor), and a unit's hand-in,
the leader's approval and the coordinator's sending of results, each building the service's command and calling it
(the service checks the permission, works in one unit of work and audits). The office's other actions are in
kaohe.web.office.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from kaohe.errors import StateError
from kaohe.models import Account
from kaohe.services import Actor, AppContext, Role
from kaohe.services.aggregation import FeedbackSent, SendFeedback, send_feedback
from kaohe.services.approval import Approved, ApproveResults
from kaohe.services.approval import approve_results as approve_service
from kaohe.services.submissions import Submit, SubmitResult, submit
from kaohe.services.uploads import Upload

if TYPE_CHECKING:
    from kaohe.web.uploads import ReceivedFile


def submit_files(context: AppContext, account: Account, cycle_key: str, stage_key: str, *, report: ReceivedFile,
                 scores: ReceivedFile | None, now: dt.datetime) -> SubmitResult:
    """A unit hands in its report (and self-score table) for one stage, as received: stored (moved into
    place, not copied), versioned, audited."""
    if account.unit_code is None:
        raise StateError("此账号不属于任何单位，不能报送材料")

    def upload(received: ReceivedFile, what: str) -> Upload:
        return Upload.streamed(received.path.name, received.path, sha256=received.sha256, size=received.size, what=what)

    command = Submit(actor_of(account), cycle_key, account.unit_code, stage_key, upload(report, "报告文件"),
                     upload(scores, "自评表") if scores is not None else None, at=now)
    return submit(context, command)


def actor_of(account: Account) -> Actor:
    """The services' actor for a portal account."""
    return Actor(account.name, Role(account.role), unit=account.unit_code,
                 cycles=frozenset(account.cycles) if account.cycles is not None else None)


def approve_results(context: AppContext, account: Account, cycle_key: str, step_id: str, *, origin: dict[str, str]) -> Approved:
    """Record the approval step ``step_id`` of the newest result version through the service (in order, once, by the
    step's role; audited with where the request came from)."""
    return approve_service(context, ApproveResults(actor_of(account), cycle_key, step_id, origin=origin))


def send_results(context: AppContext, account: Account, cycle_key: str) -> FeedbackSent:
    """Send the approved newest results (letters) to the units through the service; StateError while an approval step
    or the 公示 period is outstanding."""
    outcome = send_feedback(context, SendFeedback(actor_of(account), cycle_key))
    if outcome.blocked:
        raise StateError(outcome.reason or "结果尚不能通知各单位")
    return outcome
