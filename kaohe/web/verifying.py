"""Read models of the verifier's pages: the units it verifies and one unit's self against verified scores."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

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


def units_in_charge(session: Session, verifier_code: str) -> list[tuple[Cycle, Unit]]:
    """The assessed units ``verifier_code`` verifies, in every cycle where it is a verifier (its township's, or all
    when it has none — the permission model's scope)."""
    rows = session.execute(select(Cycle, Unit).join(Unit, Unit.cycle_id == Cycle.id)
                           .where(Unit.code == verifier_code, Unit.role == "verifier")
                           .order_by(Cycle.year.desc(), Cycle.key)).all()
    found = []
    for cycle, verifier in rows:  # the rule of kaohe.services.scoping.verifiers_of, read from the verifier's side
        query = select(Unit).where(Unit.cycle_id == cycle.id, Unit.role == "assessed")
        if verifier.township is not None:
            query = query.where(Unit.township == verifier.township)
        found += [(cycle, unit) for unit in session.scalars(query.order_by(Unit.code))]
    return found


def verified_units(session: Session, verifier_code: str) -> list[VerifiedUnit]:
    """The verifier's list: each unit's totals, disagreements and sign-off."""
    pairs = units_in_charge(session, verifier_code)
    ids = [u.id for _, u in pairs]
    scores: dict[int, list[ItemScore]] = {}
    for score in session.scalars(select(ItemScore).where(ItemScore.unit_id.in_(ids))) if ids else []:
        scores.setdefault(score.unit_id, []).append(score)
    signed = {s.unit_id: s for s in session.scalars(select(VerificationSignoff).where(VerificationSignoff.unit_id.in_(ids)))} if ids else {}
    rows = []
    for cycle, unit in pairs:
        mine = scores.get(unit.id, [])
        self_scores = [s.self_score for s in mine if s.self_score is not None]
        verified = [s.verified_score for s in mine if s.verified_score is not None]
        sign = signed.get(unit.id)
        rows.append(VerifiedUnit(
            cycle.key, cycle_title(cycle), unit.code, unit.name, unit.kind, unit.township,
            sum(self_scores, Decimal(0)) if self_scores else None, sum(verified, Decimal(0)) if verified else None,
            sum(1 for s in mine if s.verified_score is not None and s.self_score != s.verified_score),
            sign.signed_at if sign else None, sign.signed_by if sign else None))
    return rows


def unit_in_charge(session: Session, verifier_code: str, cycle_key: str, unit_code: str) -> tuple[Cycle, Unit]:
    """The cycle and unit if ``verifier_code`` verifies it; 404 otherwise (the same answer as a unit that does not exist)."""
    found = next(((c, u) for c, u in units_in_charge(session, verifier_code) if c.key == cycle_key and u.code == unit_code), None)
    if found is None:
        raise NotFound()
    return found


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
