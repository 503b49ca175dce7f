"""Recording a verifier's item scores against a unit's self-scores, and the verifier's sign-off.

A sign-off freezes the unit's verified scores. When the signer is a verifier unit of the roster (its
code given as ``by``), its obligation in the cycle's verification stage is completed once every
assessed unit in its charge is signed off: the assessed units of its township (all assessed units when
the verifier has no township).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.errors import StateError
from kaohe.evidence.differences import ScoreComparison, compare_scores
from kaohe.evidence.score_table import ScoreRow
from kaohe.models import (
    Cycle,
    CycleStage,
    ItemScore,
    Obligation,
    Unit,
    VerificationSignoff,
)
from kaohe.store.audit import record
from kaohe.store.obligations import complete

VERIFICATION_KIND = "verification"


def scores_of(session: Session, unit: Unit) -> list[ItemScore]:
    """The unit's item scores in table order."""
    return list(session.scalars(select(ItemScore).where(ItemScore.unit_id == unit.id).order_by(ItemScore.position, ItemScore.id)))


def comparison_of(session: Session, unit: Unit) -> ScoreComparison:
    """Self against verified, item by item, as stored."""
    scores = scores_of(session, unit)
    return compare_scores([(s.item_id, s.item_name) for s in scores], {s.item_id: s.self_score for s in scores},
                          {s.item_id: s.verified_score for s in scores})


def signoff_of(session: Session, unit: Unit) -> VerificationSignoff | None:
    """The sign-off of the unit's verified scores, if any."""
    return session.scalar(select(VerificationSignoff).where(VerificationSignoff.unit_id == unit.id))


def record_verified_scores(session: Session, cycle: Cycle, unit: Unit, rows: Sequence[ScoreRow], *, by: str,
                           now: dt.datetime) -> ScoreComparison:
    """Store the verifier's scores (replacing earlier unsigned ones) and return the per-item comparison."""
    signed = signoff_of(session, unit)
    if signed is not None:
        raise StateError(f"单位 {unit.code} 的核查评分已于 {signed.signed_at.isoformat()} 由 {signed.signed_by} 签字确认，不能再修改")
    scores = {s.item_id: s for s in scores_of(session, unit)}
    if not any(s.self_score is not None for s in scores.values()):
        raise StateError(f"单位 {unit.code}（{unit.name}）尚未报送自评表，无法逐项核实")
    listed = set()
    next_position = max((s.position for s in scores.values()), default=-1) + 1
    for row in rows:
        listed.add(row.item_id)
        score = scores.get(row.item_id)
        if score is None:
            score = ItemScore(cycle_id=cycle.id, unit_id=unit.id, item_id=row.item_id, item_name=row.item_name,
                              position=next_position, max_points=row.maximum)
            next_position += 1
            session.add(score)
            scores[row.item_id] = score
        score.verified_score, score.verified_note, score.verified_by, score.verified_at = row.score, row.note, by, now
    for item_id, score in scores.items():
        if item_id not in listed:
            score.verified_score, score.verified_note, score.verified_by, score.verified_at = None, None, None, None
    session.flush()
    result = comparison_of(session, unit)
    record(session, actor=by, action="verification.scored", cycle_id=cycle.id, subject=unit.code, at=now,
           detail={"changed": [d.to_json() for d in result.changed], "verified_total": format(result.verified_total, "f")})
    return result


def sign_off(session: Session, cycle: Cycle, unit: Unit, *, by: str, now: dt.datetime,
             signer_unit: str | None = None) -> tuple[VerificationSignoff, list[str]]:
    """Sign the unit's verified scores; return the sign-off and the verification stages completed by it.
    ``signer_unit`` is the roster code of the verifier unit signing (default: ``by``, the CLI's convention)."""
    if signoff_of(session, unit) is not None:
        raise StateError(f"单位 {unit.code} 的核查评分已签字确认")
    result = comparison_of(session, unit)
    unverified = [d.item_name for d in result.items if d.self_score is not None and d.verified_score is None]
    if not result.items or unverified:
        missing = "、".join(unverified) or "全部指标"
        raise StateError(f"单位 {unit.code} 尚有指标未核实（{missing}），不能签字确认")
    signoff = VerificationSignoff(cycle_id=cycle.id, unit_id=unit.id, signed_by=by, signed_at=now, self_total=result.self_total,
                                  verified_total=result.verified_total, differences=[d.to_json() for d in result.items])
    session.add(signoff)
    session.flush()
    record(session, actor=by, action="verification.signed_off", cycle_id=cycle.id, subject=unit.code, at=now,
           detail={"self_total": result.to_json()["self_total"], "verified_total": format(result.verified_total, "f")})
    return signoff, _complete_verifier(session, cycle, signer_unit or by, by, now)


def _complete_verifier(session: Session, cycle: Cycle, code: str, by: str, now: dt.datetime) -> list[str]:
    verifier = next((u for u in cycle.units if u.code == code and u.role == "verifier"), None)
    if verifier is None:
        return []
    in_charge = [u for u in cycle.units if u.role == "assessed" and (verifier.township is None or u.township == verifier.township)]
    signed = set(session.scalars(select(VerificationSignoff.unit_id).where(VerificationSignoff.cycle_id == cycle.id)))
    if not in_charge or any(u.id not in signed for u in in_charge):
        return []
    owing = session.execute(
        select(CycleStage.key).join(Obligation, Obligation.stage_id == CycleStage.id)
        .where(CycleStage.cycle_id == cycle.id, CycleStage.kind == VERIFICATION_KIND, Obligation.unit_id == verifier.id,
               Obligation.status.in_(("pending", "overdue")))
    ).scalars().all()
    for stage_key in owing:
        complete(session, cycle, verifier.code, stage_key, at=now, actor=by)
    return list(owing)
