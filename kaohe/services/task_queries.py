"""Read-only queries the Prefect tasks ask between their steps (what an advance started, what is left to send,
which robots sign with which secret). Each opens a reading session of the context and writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from kaohe.services.context import AppContext
from kaohe.store.cycles import get_cycle, unit_contacts
from kaohe.store.outbox import has_dispatch_work
from kaohe.store.proof import has_unsealed
from kaohe.store.results import AGGREGATION_KIND, FEEDBACK_KIND, latest_version, stage_of_kind
from kaohe.store.reviews import unsent_review_stages

if TYPE_CHECKING:
    from kaohe.notifications.robot_secrets import RobotSecrets


def results_triggers(context: AppContext, cycle: str, opened: list[str], closed: list[str]) -> dict[str, Any]:
    """What an advance means for results: an aggregation stage closed, a feedback stage opened, whether the feedback
    stage has begun, the version in force (None before the first) and whether the scheme has a scoring formula."""
    with context.reading() as session:
        found = get_cycle(session, cycle)
        kinds = {s.key: s.kind for s in found.stages}
        feedback_stage = stage_of_kind(found, FEEDBACK_KIND)
        version = latest_version(session, found)
        return {
            "aggregation_closed": any(kinds.get(k) == AGGREGATION_KIND for k in closed),
            "feedback_opened": any(kinds.get(k) == FEEDBACK_KIND for k in opened),
            "feedback_started": feedback_stage is not None and feedback_stage.status != "pending",
            "version": version.version if version else None,
            "has_formula": found.scheme_snapshot.get("scoring") is not None,
        }


def stage_kinds(context: AppContext, cycle: str) -> dict[str, str]:
    """Stage key → kind for every stage of the cycle."""
    with context.reading() as session:
        return {s.key: s.kind for s in get_cycle(session, cycle).stages}


def unsent_reviews(context: AppContext, cycle: str) -> list[str]:
    """Third-party stages that are open and have not sent their sample yet, once the cycle has a drawn sample."""
    with context.reading() as session:
        return unsent_review_stages(session, get_cycle(session, cycle))


def dispatch_due(context: AppContext, cycle_id: int, now: dt.datetime) -> bool:
    """Whether sending the cycle's outbox at ``now`` would find anything to send, recover or seal."""
    with context.reading() as session:
        return has_dispatch_work(session, cycle_id=cycle_id, now=now) or has_unsealed(session, cycle_id)


def roster_robots(context: AppContext, cycle_id: int) -> RobotSecrets:
    """The signing secrets of the robots the cycle's roster names (its 钉钉密钥/飞书密钥 columns)."""
    from kaohe.notifications.robot_secrets import roster_robot_secrets  # only a dispatch needs the notification package

    with context.reading() as session:
        return roster_robot_secrets(unit_contacts(session, cycle_id))
