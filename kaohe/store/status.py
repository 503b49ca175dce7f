"""What admins ask: per stage, who owes what, who is overdue, what failed to arrive."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from kaohe.models import Cycle, CycleStage, Obligation, OutboxMessage, Unit


@dataclass(frozen=True)
class StageStatus:
    """One stage's counts at an instant."""

    stage: str
    name: str
    status: str
    due: dt.datetime
    obliged: int
    done: int
    overdue: int
    pending: int
    next_deadline: dt.datetime | None
    failed_deliveries: int

    def to_json(self) -> dict[str, Any]:
        """As JSON, datetimes in Beijing time."""
        data = asdict(self)
        data["due"] = _iso(self.due)
        data["next_deadline"] = _iso(self.next_deadline)
        return data


def _iso(value: dt.datetime | None) -> str | None:
    from kaohe.clock import BEIJING

    return value.astimezone(BEIJING).isoformat() if value else None


def cycle_status(session: Session, cycle_id: int, now: dt.datetime) -> list[StageStatus]:
    """Counts per stage of the cycle ``cycle_id``. An obligation past its due date and not done counts as overdue
    even before the advancing flow has marked it. Plain column reads (no ORM objects), so ``kaohe status`` does
    not pay for configuring the mappers."""
    stages, obligations, outbox = CycleStage.__table__, Obligation.__table__, OutboxMessage.__table__
    late = and_(obligations.c.status.in_(("pending", "overdue")), obligations.c.due_at < now)
    rows = session.execute(
        select(
            stages.c.key, stages.c.name, stages.c.status, stages.c.due_at,
            func.count(obligations.c.id),
            func.count(case((obligations.c.status == "done", 1))),
            func.count(case((late, 1))),
            func.min(case((and_(obligations.c.status == "pending", obligations.c.due_at >= now), obligations.c.due_at))),
        )
        .select_from(stages.outerjoin(obligations, obligations.c.stage_id == stages.c.id))
        .where(stages.c.cycle_id == cycle_id)
        .group_by(stages.c.id)
        .order_by(stages.c.position)
    ).all()
    failed: dict[str | None, int] = dict(session.execute(
        select(outbox.c.stage_key, func.count())
        .where(outbox.c.cycle_id == cycle_id, outbox.c.status.in_(("failed", "uncertain")))
        .group_by(outbox.c.stage_key)
    ).tuples().all())
    result = []
    for key, name, status, due_at, obliged, done, overdue, next_due in rows:
        if next_due is not None and next_due.tzinfo is None:
            next_due = next_due.replace(tzinfo=dt.timezone.utc)
        result.append(StageStatus(
            stage=key, name=name, status=status, due=due_at, obliged=obliged, done=done,
            overdue=overdue, pending=obliged - done - overdue, next_deadline=next_due,
            failed_deliveries=failed.get(key, 0),
        ))
    return result


def unit_status(session: Session, cycle: Cycle, unit: Unit, now: dt.datetime) -> dict[str, Any]:
    """One unit's obligations and every message addressed to it."""
    obligations = session.execute(
        select(Obligation, CycleStage).join(CycleStage, Obligation.stage_id == CycleStage.id)
        .where(Obligation.unit_id == unit.id).order_by(CycleStage.position)
    ).all()
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.unit_id == unit.id).order_by(OutboxMessage.send_after, OutboxMessage.id)
    ).all()
    return {
        "cycle": cycle.key,
        "unit": unit.code,
        "name": unit.name,
        "role": unit.role,
        "obligations": [
            {
                "stage": stage.key, "name": stage.name, "due": _iso(o.due_at),
                "status": "overdue" if o.status == "pending" and o.due_at < now else o.status,
                "completed_at": _iso(o.completed_at), "extended": o.due_at != stage.due_at,
            }
            for o, stage in obligations
        ],
        "messages": [
            {
                "stage": m.stage_key, "kind": m.kind, "wave": m.wave, "channel": m.channel, "status": m.status,
                "send_after": _iso(m.send_after), "sent_at": _iso(m.sent_at), "attempts": m.attempts, "error": m.last_error,
            }
            for m in messages
        ],
    }
