"""Read models of the verifier's pages: the units it verifies and one unit's self against verified scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.evidence.differences import ItemDifference, ScoreComparison
from kaohe.models import Cycle, ItemScore, Submission, Unit, VerificationSignoff
from kaohe.services.verification import indicators_of
from kaohe.store.verification import comparison_of, scores_of, signoff_of
from kaohe.web.deps import NotFound
from kaohe.web.queries import cycle_title


@dataclass(frozen=True)
class VerifiedUnit:
    """One unit in the verifier's list."""

    cycle: str
    cycle_title: str
    code: str
    name: str
    kind: str | None
    township: str | None
    self_total: Decimal | None
    verified_total: Decimal | None
    changed: int
    signed_at: dt.datetime | None
    signed_by: str | None

    @property
    def state(self) -> str:
        """Where the verification stands, in words."""
        if self.signed_at is not None:
            return "已签字确认"
        if self.self_total is None:
            return "待单位报送自评表"
        return "已录入核查分" if self.verified_total is not None else "待核查"


def _charges(session: Session, verifier_code: str, cycle_key: str | None = None) -> list[tuple[Cycle, str | None]]:
    """Every cycle where ``verifier_code`` is a verifier (or just ``cycle_key``), with the verifier's township."""
    query = (select(Cycle, Unit.township).join(Unit, Unit.cycle_id == Cycle.id)
             .where(Unit.code == verifier_code, Unit.role == "verifier").order_by(Cycle.year.desc(), Cycle.key))
    if cycle_key is not None:
        query = query.where(Cycle.key == cycle_key)
    return [(cycle, township) for cycle, township in session.execute(query)]


def _in_charge(query: Any, township: str | None) -> Any:
    """Restrict a query on Unit to the assessed units a verifier of ``township`` verifies: the rule of
    ``kaohe.services.scoping.verifiers_of`` read from the verifier's side (its township's units, or all without one)."""
    query = query.where(Unit.role == "assessed")
    return query.where(Unit.township == township) if township is not None else query


def verified_units(session: Session, verifier_code: str) -> list[VerifiedUnit]:
    """The verifier's list: each unit's totals, disagreements and sign-off (plain columns: a county's ten thousand
    units are read without loading them as objects)."""
    rows = []
    for cycle, township in _charges(session, verifier_code):
        scores: dict[int, list[tuple[Decimal | None, Decimal | None]]] = {}
        for unit_id, self_score, verified_score in session.execute(
                select(ItemScore.unit_id, ItemScore.self_score, ItemScore.verified_score).where(ItemScore.cycle_id == cycle.id)):
            scores.setdefault(unit_id, []).append((self_score, verified_score))
        signed = {unit_id: (at, by) for unit_id, at, by in session.execute(
            select(VerificationSignoff.unit_id, VerificationSignoff.signed_at, VerificationSignoff.signed_by)
            .where(VerificationSignoff.cycle_id == cycle.id))}
        title = cycle_title(cycle)
        units = session.execute(_in_charge(select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.township)
                                           .where(Unit.cycle_id == cycle.id), township).order_by(Unit.code))
        for unit_id, code, name, kind, unit_township in units:
            mine = scores.get(unit_id, [])
            self_scores = [own for own, _ in mine if own is not None]
            verified = [checked for _, checked in mine if checked is not None]
            sign = signed.get(unit_id)
            rows.append(VerifiedUnit(
                cycle.key, title, code, name, kind, unit_township,
                sum(self_scores, Decimal(0)) if self_scores else None, sum(verified, Decimal(0)) if verified else None,
                sum(1 for own, checked in mine if checked is not None and own != checked),
                sign[0] if sign else None, sign[1] if sign else None))
    return rows


def unit_in_charge(session: Session, verifier_code: str, cycle_key: str, unit_code: str) -> tuple[Cycle, Unit]:
    """The cycle and unit if ``verifier_code`` verifies it; 404 otherwise (the same answer as a unit that does not exist)."""
    for cycle, township in _charges(session, verifier_code, cycle_key):
        unit = session.scalar(_in_charge(select(Unit).where(Unit.cycle_id == cycle.id, Unit.code == unit_code), township))
        if unit is not None:
            return cycle, unit
    raise NotFound()


@dataclass(frozen=True)
class ScoreLine:
    """One item on the verification form: the unit's self-score, the verified score and note, the difference."""

    item_id: str
    name: str
    maximum: Decimal | None
    self_score: Decimal | None
    verified: Decimal | None
    note: str | None
    difference: Decimal | None
    changed: bool


@dataclass(frozen=True)
class VerificationView:
    """A unit's verification page: its lines, totals, sign-off and the files it handed in."""

    lines: list[ScoreLine]
    comparison: ScoreComparison
    signoff: VerificationSignoff | None
    files: list[Submission]
    open_list: bool


def verification_view(session: Session, cycle: Cycle, unit: Unit) -> VerificationView:
    """The self-scored items (and the scheme's other items, to add), with what the verifier recorded so far."""
    stored = {s.item_id: s for s in scores_of(session, unit)}
    comparison = comparison_of(session, unit)
    differences: dict[str, ItemDifference] = {d.item_id: d for d in comparison.items}
    indicators = indicators_of(cycle, unit)
    lines = []
    for item_id, score in stored.items():
        diff = differences.get(item_id)
        lines.append(ScoreLine(item_id, score.item_name, score.max_points, score.self_score, score.verified_score, score.verified_note,
                               diff.difference if diff else None, bool(diff and diff.changed and score.verified_score is not None)))
    for indicator in indicators.items:
        if indicator.id not in stored:
            lines.append(ScoreLine(indicator.id, indicator.name, indicator.maximum, None, None, None, None, False))
    files = list(session.scalars(select(Submission).where(Submission.unit_id == unit.id).order_by(Submission.submitted_at.desc(),
                                                                                                 Submission.kind)))
    return VerificationView(lines, comparison, signoff_of(session, unit), files, not indicators.closed)
