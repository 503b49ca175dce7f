"""Special verification (专项核查, 鄂尔多斯 第八条（三）): the coordinator records a phase's scores, and every scored
unit is told at once (第十条 即时反馈)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from kaohe.results.special import parse_special_scores
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.services.uploads import Upload
from kaohe.store.cycles import get_cycle
from kaohe.store.special import record_special_scores, verification_stages


@dataclass(frozen=True)
class ScoreSpecialVerification:
    """Record the scores of special verification ``stage`` from a score sheet and queue each unit's immediate feedback."""

    actor: Actor
    cycle: str
    stage: str
    scores: Upload


@dataclass(frozen=True)
class SpecialScored:
    """What was recorded and queued, as ``kaohe special score --json`` prints it."""

    payload: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return dict(self.payload)


def score_special_verification(context: AppContext, command: ScoreSpecialVerification) -> SpecialScored:
    """Parse the sheet against the cycle's assessed units, record it and queue the feedback, in one unit of work."""
    authorize(command.actor, Action.SCORE_SPECIAL_VERIFICATION, Scope(cycle=command.cycle))
    data = command.scores.require("专项核查评分表")
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        verification_stages(cycle, command.stage)
        assessed = {u.code: u.name for u in cycle.units if u.role == "assessed"}
        scores = parse_special_scores(data, command.scores.name, assessed)
        return SpecialScored(record_special_scores(uow.session, cycle, command.stage, scores, file_name=command.scores.name,
                                                   sha256=hashlib.sha256(data).hexdigest(), by=command.actor.account, now=uow.now))
