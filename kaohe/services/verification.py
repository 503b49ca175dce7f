"""A verifier's item scores against a unit's self-scores, and the sign-off that freezes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kaohe.evidence.differences import ScoreComparison
from kaohe.evidence.indicators import indicators_for
from kaohe.evidence.score_table import parse_score_table
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, authorize
from kaohe.services.scoping import unit_scope
from kaohe.services.uploads import Upload
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.verification import record_verified_scores, sign_off


@dataclass(frozen=True)
class VerifyScores:
    """Record the verifier's item scores for ``unit`` (replacing unsigned earlier ones); ``sign_off`` signs them too."""

    actor: Actor
    cycle: str
    unit: str
    scores: Upload
    sign_off: bool = False


@dataclass(frozen=True)
class Verified:
    """The per-item comparison, and what the sign-off completed."""

    cycle: str
    unit: str
    unit_name: str
    verified_by: str
    signed_off: bool
    completed_stages: tuple[str, ...]
    comparison: ScoreComparison

    def to_json(self) -> dict[str, Any]:
        """As ``kaohe verify --json`` prints it."""
        return {"cycle": self.cycle, "unit": self.unit, "verified_by": self.verified_by, "signed_off": self.signed_off,
                "completed_stages": list(self.completed_stages), **self.comparison.to_json()}


def verify_scores(context: AppContext, command: VerifyScores) -> Verified:
    """Store the verified scores and the differences; with ``sign_off``, sign them in the same transaction."""
    data = command.scores.require("核查评分表")
    by = command.actor.account
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        unit = get_unit(uow.session, cycle, command.unit)
        authorize(command.actor, Action.SIGN_OFF if command.sign_off else Action.VERIFY, unit_scope(cycle, unit))
        indicators = indicators_for(cycle.scheme_snapshot.get("scoring"), cycle.scheme_id, sequence=unit.sequence, kind=unit.kind)
        comparison = record_verified_scores(uow.session, cycle, unit, parse_score_table(data, command.scores.name, indicators),
                                            by=by, now=uow.now)
        completed: list[str] = []
        if command.sign_off:
            _, completed = sign_off(uow.session, cycle, unit, by=by, now=uow.now)
        return Verified(cycle.key, unit.code, unit.name, by, command.sign_off, tuple(completed), comparison)
