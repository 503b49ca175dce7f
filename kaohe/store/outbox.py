"""The outbox: enqueue once, claim, mark, and recover after a crash.

A message moves ``pending`` → ``claimed`` (a dispatcher took it in a batch) → ``sending`` (handed to
its channel in a small chunk) → ``sent`` | ``failed`` | back to ``pending`` for a retry. A dispatcher
that dies leaves rows ``claimed`` (never handed over: safe to send again) or ``sending`` (perhaps
delivered). ``recover`` resolves the latter by channel: where the channel takes an idempotency key
the message is sent again under the same key, otherwise it is marked ``uncertain`` and shown. A message of
a channel that takes an idempotency key is marked ``sending`` as soon as it is claimed (see ``claim``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, aliased

from kaohe.models import OutboxMessage
from kaohe.store.driver_statement import DriverStatement
from kaohe.workdays import WorkdayCalendar

CLAIM_LEASE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Outgoing:
    """A message to enqueue."""

    key: str
    cycle_id: int
    stage_key: str | None
    unit_id: int | None
    kind: str
    wave: str
    channel: str
    recipient: str
    subject: str
    body: str
    send_after: dt.datetime
    about_unit_id: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    fallback_of: str | None = None


def enqueue(session: Session, messages: Sequence[Outgoing], now: dt.datetime) -> int:
    """Insert the messages whose key is new; return how many were new. Enqueuing twice is a no-op."""
    if not messages:
        return 0
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows: list[dict[str, Any]] = [
        {**m.__dict__, "status": "pending", "attempts": 0, "created_at": now} for m in messages
    ]
    inserted = 0
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        statement = insert(OutboxMessage).values(chunk).on_conflict_do_nothing(index_elements=["key"]).returning(OutboxMessage.id)
        inserted += len(session.execute(statement).all())
    return inserted


def claim(connection: Connection, *, cycle_id: int | None, now: dt.datetime, limit: int, worker: str,
          at: dt.datetime | None = None, sending_channels: frozenset[str] = frozenset()) -> list[Row[Any]]:
    """Take up to ``limit`` messages due at ``now``, marking them ``claimed`` by ``worker`` at ``at`` (default ``now``).

    Messages of ``sending_channels`` (those whose receiver de-duplicates by idempotency key) are marked
    ``sending`` at once: for them a claim and a send in progress are recovered alike (sent again under the
    same key), so the dispatcher needs no second write before handing them over.

    ``at`` is the wall-clock time the lease runs from: ``now`` is the run's scheduled instant, and a
    run that lasts longer than the gap to the next scheduled run must not look dead to it.

    Returns plain rows (``id, attempts, key, kind, channel, recipient, subject, body, extras``), oldest
    due first: no ORM objects, a dispatcher reads each once.

    Two dispatchers never take the same message: PostgreSQL locks the chosen rows and skips those
    another dispatcher has locked; on SQLite one ``UPDATE … WHERE id IN (SELECT …)`` chooses and marks
    under the write lock. (On PostgreSQL that single statement would be wrong: the planner may rescan
    the locking subquery once per row and claim far more than ``limit``.)
    """
    table = _table()
    due = select(table.c.id).where(table.c.status == "pending", table.c.send_after <= now)
    if cycle_id is not None:
        due = due.where(table.c.cycle_id == cycle_id)
    due = due.order_by(table.c.send_after, table.c.id).limit(limit)
    chosen: Any = due
    if connection.dialect.name == "postgresql":
        chosen = list(connection.scalars(due.with_for_update(skip_locked=True)))
        if not chosen:
            return []
    statement = (
        update(table).where(table.c.id.in_(chosen), table.c.status == "pending")
        .values(status=case((table.c.channel.in_(sending_channels), "sending"), else_="claimed") if sending_channels else "claimed",
                claimed_by=worker, claimed_at=at or now)
        .returning(*(table.c[name] for name in CLAIMED_COLUMNS), table.c.send_after)
    )
    rows = connection.execute(statement).all()
    return sorted(rows, key=lambda row: (row.send_after, row.id))


CLAIMED_COLUMNS = ("id", "attempts", "key", "kind", "channel", "recipient", "subject", "body", "extras")
"""The columns ``claim`` returns (and ``send_after``)."""


def mark_sending(connection: Connection, ids: Iterable[int]) -> None:
    """Record that these messages are being handed to their channels now."""
    table = _table()
    connection.execute(update(table).where(table.c.id.in_(list(ids))).values(status="sending"))


def _table() -> Table:
    return cast(Table, OutboxMessage.__table__)


@dataclass(frozen=True)
class Outcome:
    """What happened to one message."""

    id: int
    status: str
    at: dt.datetime
    remote_id: str | None = None
    error: str | None = None
    retry_at: dt.datetime | None = None
    sent_as: str | None = None
    answer: str | None = None


def record_outcomes(connection: Connection, outcomes: Sequence[Outcome]) -> None:
    """Write the results of a chunk in one executemany UPDATE by primary key: sent, failed, or pending
    again with a later ``send_after``; every row's ``attempts`` goes up by one. The statement is compiled
    once per dialect and handed to the driver (``kaohe.store.driver_statement``)."""
    if not outcomes:
        return
    _outcome_statement(connection.dialect).executemany(connection, [
        {"b_id": o.id, "b_status": o.status, "b_error": o.error, "b_sent_at": o.at if o.status == "sent" else None,
         "b_remote_id": o.remote_id if o.status == "sent" else None, "b_retry_at": o.retry_at,
         "b_sent_as": o.sent_as, "b_answer": o.answer}
        for o in outcomes
    ])


@lru_cache(maxsize=8)
def _outcome_statement(dialect: Dialect) -> DriverStatement:
    table = _table()
    return DriverStatement(
        update(table).where(table.c.id == bindparam("b_id", type_=table.c.id.type))
        .values(
            status=bindparam("b_status", type_=table.c.status.type), attempts=table.c.attempts + 1,
            last_error=bindparam("b_error", type_=table.c.last_error.type),
            sent_at=func.coalesce(bindparam("b_sent_at", type_=table.c.sent_at.type), table.c.sent_at),
            remote_id=func.coalesce(bindparam("b_remote_id", type_=table.c.remote_id.type), table.c.remote_id),
            send_after=func.coalesce(bindparam("b_retry_at", type_=table.c.send_after.type), table.c.send_after),
            sent_as=bindparam("b_sent_as", type_=table.c.sent_as.type), answer=bindparam("b_answer", type_=table.c.answer.type),
        ),
        dialect,
    )


def recover(connection: Connection, *, now: dt.datetime, idempotent_channels: frozenset[str],
            lease: dt.timedelta = CLAIM_LEASE) -> dict[str, int]:
    """Resolve what a dead dispatcher left behind (claims older than ``lease`` at wall-clock time ``now``)."""
    table = _table()
    stale = table.c.claimed_at < now - lease
    sending = (table.c.status == "sending", stale)
    released = connection.execute(
        update(table).where(table.c.status == "claimed", stale).values(status="pending", claimed_by=None, claimed_at=None)
    ).rowcount
    resent = connection.execute(
        update(table).where(*sending, table.c.channel.in_(idempotent_channels))
        .values(status="pending", claimed_by=None, claimed_at=None, last_error="调度进程中断，按同一幂等键重发")
    ).rowcount
    uncertain = connection.execute(
        update(table).where(*sending, table.c.channel.not_in(idempotent_channels))
        .values(status="uncertain", last_error="调度进程在发出后、记录前中断：该渠道无幂等键，无法确认是否送达，请人工核实")
    ).rowcount
    return {"released": released or 0, "resent": resent or 0, "uncertain": uncertain or 0}


def cancel_for(session: Session, *, cycle_id: int, stage_key: str, unit_ids: Sequence[int], after: dt.datetime | None = None) -> int:
    """Cancel pending reminders of these units in a stage (they completed it, or their deadline moved)."""
    query = update(OutboxMessage).where(
        OutboxMessage.cycle_id == cycle_id, OutboxMessage.stage_key == stage_key,
        or_(OutboxMessage.unit_id.in_(list(unit_ids)), OutboxMessage.about_unit_id.in_(list(unit_ids))),
        OutboxMessage.status == "pending",
        OutboxMessage.kind.in_(("stage_opened", "upcoming", "due_today", "overdue", "escalation")),
    )
    if after is not None:
        query = query.where(OutboxMessage.send_after > after)
    return session.execute(query.values(status="cancelled"), execution_options={"synchronize_session": False}).rowcount or 0  # type: ignore[attr-defined]


def pending_send_times(session: Session, *, cycle_id: int) -> list[dt.datetime]:
    """The distinct instants at which the cycle's pending messages fall due (e.g. a supervision order's reminders,
    queued when it was issued rather than planned by the engine)."""
    rows = session.scalars(select(OutboxMessage.send_after).where(
        OutboxMessage.cycle_id == cycle_id, OutboxMessage.status == "pending").distinct())
    return [at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc) for at in rows]


def has_dispatch_work(session: Session, *, cycle_id: int, now: dt.datetime) -> bool:
    """Whether sending the cycle's outbox at ``now`` could send or recover anything (reads only): a message of
    the cycle due by ``now``, a claim or send in progress anywhere (perhaps a dead dispatcher's, which a run
    recovers), or a failed message of the cycle without its fallback yet. Sealing is asked separately
    (``kaohe.store.proof.has_unsealed``)."""
    due = select(OutboxMessage.id).where(OutboxMessage.cycle_id == cycle_id, OutboxMessage.status == "pending",
                                         OutboxMessage.send_after <= now)
    busy = select(OutboxMessage.id).where(OutboxMessage.status.in_(("claimed", "sending")))
    fallback = aliased(OutboxMessage)
    unreplaced = select(OutboxMessage.id).where(
        OutboxMessage.cycle_id == cycle_id, OutboxMessage.status == "failed", OutboxMessage.unit_id.is_not(None),
        ~select(fallback.id).where(fallback.fallback_of == OutboxMessage.key).exists(),
    )
    return any(session.scalar(query.limit(1)) is not None for query in (due, busy, unreplaced))


def counts(session: Session, cycle_id: int) -> dict[str, int]:
    """Messages of a cycle by status."""
    return dict(session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.cycle_id == cycle_id).group_by(OutboxMessage.status)
    ).tuples().all())


def deliver_at(now: dt.datetime, office_hours: str, calendar: WorkdayCalendar) -> dt.datetime:
    """When a message produced at ``now`` may go out: now during office hours on a working day, else
    the next working morning (see kaohe.planning.office_instant; ``calendar``: ``kaohe.db.calendar_of(session)``)."""
    from kaohe.planning import office_instant

    return office_instant(now, calendar, office_hours)
