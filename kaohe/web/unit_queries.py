"""Read models of a unit's own material: the cycles it is on, its supervision orders, the files handed in for an
obligation or under one receipt, and a stored file with its unit and cycle (who may see them is the route's check)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.models import Cycle, CycleStage, Submission, SupervisionOrder, Unit


def unit_cycles(session: Session, unit_code: str | None) -> list[tuple[Cycle, Unit]]:
    """Every cycle whose roster has the unit ``unit_code``, with its row there, newest year first."""
    rows = session.execute(select(Cycle, Unit).join(Unit, Unit.cycle_id == Cycle.id).where(Unit.code == unit_code)
                           .order_by(Cycle.year.desc(), Cycle.key)).all()
    return [(c, u) for c, u in rows]


def unit_orders(session: Session, unit_code: str | None) -> list[tuple[SupervisionOrder, Cycle, Unit]]:
    """The supervision orders issued to the unit ``unit_code`` in every cycle, newest first."""
    rows = session.execute(select(SupervisionOrder, Cycle, Unit).join(Unit, SupervisionOrder.unit_id == Unit.id)
                           .join(Cycle, SupervisionOrder.cycle_id == Cycle.id).where(Unit.code == unit_code)
                           .order_by(SupervisionOrder.issued_at.desc(), SupervisionOrder.number.desc())).all()
    return [(o, c, u) for o, c, u in rows]


def obligation_files(session: Session, obligation_id: int) -> list[Submission]:
    """Every version of every file handed in for one obligation, newest version first."""
    return list(session.scalars(select(Submission).where(Submission.obligation_id == obligation_id).order_by(Submission.version.desc())))


def receipt_files(session: Session, unit: Unit, stage_key: str, version: int) -> list[tuple[Submission, CycleStage]]:
    """The files of one submitted version of the unit for the stage ``stage_key`` (what its receipt lists), by kind."""
    rows = session.execute(
        select(Submission, CycleStage).join(CycleStage, Submission.stage_id == CycleStage.id)
        .where(Submission.unit_id == unit.id, CycleStage.key == stage_key, Submission.version == version)
        .order_by(Submission.kind)).all()
    return [(s, stage) for s, stage in rows]


def stored_submission(session: Session, submission_id: int) -> tuple[Submission, Unit, Cycle] | None:
    """A stored file with its unit and cycle; None if there is no such file."""
    row = session.get(Submission, submission_id)
    if row is None:
        return None
    unit, cycle = session.get(Unit, row.unit_id), session.get(Cycle, row.cycle_id)
    assert unit is not None and cycle is not None
    return row, unit, cycle
