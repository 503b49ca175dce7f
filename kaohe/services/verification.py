"""A verifier's item scores against a unit's self-scores, and the sign-off that freezes them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kaohe.evidence.differences import ScoreComparison
from kaohe.evidence.indicators import IndicatorList, indicators_for
from kaohe.evidence.score_table import ScoreRow, parse_score_rows, parse_score_table
from kaohe.models import Cycle, Unit
from kaohe.schemes.snapshot import scheme_from_snapshot
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, authorize
from kaohe.services.scoping import unit_scope
from kaohe.services.uploads import Upload
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.verification import comparison_of, record_verified_scores, sign_off


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


@dataclass(frozen=True)
class EnteredScore:
    """One item's verified score as typed into a form: the item (id or name), the score and an optional note, as text."""

    item: str
    score: str
    note: str = ""


@dataclass(frozen=True)
class EnterScores:
    """Record the verifier's item scores typed into a form (blank scores left out), checked like an uploaded sheet."""

    actor: Actor
    cycle: str
    unit: str
    entries: Sequence[EnteredScore]
    sign_off: bool = False


@dataclass(frozen=True)
class SignOff:
    """Sign the unit's verified scores as they stand (every self-scored item verified); they are frozen from then on."""

    actor: Actor
    cycle: str
    unit: str


FORM_FILE = "网页录入的核查评分"


def indicators_of(cycle: Cycle, unit: Unit) -> IndicatorList:
    """The indicator items ``unit`` is scored on in ``cycle`` (its scheme's scoring, by its sequence and kind)."""
    return indicators_for(scheme_from_snapshot(cycle.scheme_snapshot).scoring_spec, sequence=unit.sequence, kind=unit.kind)


def verify_scores(context: AppContext, command: VerifyScores) -> Verified:
    """Store the verified scores and the differences; with ``sign_off``, sign them in the same transaction."""
    data = command.scores.require("核查评分表")
    return _record(context, command.actor, command.cycle, command.unit, command.sign_off,
                   lambda indicators: parse_score_table(data, command.scores.name, indicators))


def enter_scores(context: AppContext, command: EnterScores) -> Verified:
    """Store verified scores typed into a form (as ``verify_scores`` does with a sheet); with ``sign_off``, sign them too."""
    rows: list[tuple[int, list[Any]]] = [(1, ["指标", "核查分", "说明"])]
    for number, entry in enumerate((e for e in command.entries if e.score.strip()), start=2):
        rows.append((number, [entry.item.strip(), entry.score.strip(), entry.note.strip() or None]))
    return _record(context, command.actor, command.cycle, command.unit, command.sign_off,
                   lambda indicators: parse_score_rows(rows, FORM_FILE, indicators))


def sign_off_scores(context: AppContext, command: SignOff) -> Verified:
    """Sign the verified scores recorded so far; refused while a self-scored item is unverified or when already signed."""
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        unit = get_unit(uow.session, cycle, command.unit)
        authorize(command.actor, Action.SIGN_OFF, unit_scope(cycle, unit))
        _, completed = sign_off(uow.session, cycle, unit, by=command.actor.account, now=uow.now, signer_unit=command.actor.unit)
        return Verified(cycle.key, unit.code, unit.name, command.actor.account, True, tuple(completed), comparison_of(uow.session, unit))


def _record(context: AppContext, actor: Actor, cycle_key: str, unit_code: str, signing: bool,
            parse: Callable[[IndicatorList], list[ScoreRow]]) -> Verified:
    by = actor.account
    with context.unit_of_work(actor) as uow:
        cycle = get_cycle(uow.session, cycle_key)
        unit = get_unit(uow.session, cycle, unit_code)
        authorize(actor, Action.SIGN_OFF if signing else Action.VERIFY, unit_scope(cycle, unit))
        rows: list[ScoreRow] = parse(indicators_of(cycle, unit))
        comparison = record_verified_scores(uow.session, cycle, unit, rows, by=by, now=uow.now)
        completed: list[str] = []
        if signing:
            _, completed = sign_off(uow.session, cycle, unit, by=by, now=uow.now, signer_unit=actor.unit)
        return Verified(cycle.key, unit.code, unit.name, by, signing, tuple(completed), comparison)
