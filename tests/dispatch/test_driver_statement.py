"""The dispatcher's outcome UPDATE runs as the driver's executemany: the same rows as SQLAlchemy's own path."""

from __future__ import annotations

import datetime as dt

import pytest
from dispatch_support import T0, outgoing, rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, bindparam, func, update
from sqlalchemy.orm import Session

from kaohe.models import Cycle, OutboxMessage
from kaohe.store.driver_statement import DriverStatement
from kaohe.store.outbox import enqueue

TABLE: Table = OutboxMessage.__table__  # type: ignore[assignment]
STATEMENT = update(TABLE).where(TABLE.c.id == bindparam("b_id", type_=TABLE.c.id.type)).values(
    attempts=TABLE.c.attempts + 7, last_error=bindparam("b_error", type_=TABLE.c.last_error.type),
    send_after=func.coalesce(bindparam("b_at", type_=TABLE.c.send_after.type), TABLE.c.send_after),
)
texts = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
shifts = st.one_of(st.none(), st.integers(min_value=-10_000, max_value=10_000))
COUNTER = iter(range(10**9))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(texts, shifts), min_size=1, max_size=6))
def test_each_row_gets_its_own_values_and_the_statements_literal(changes: list[tuple[str, int | None]], session: Session,
                                                                  cycle: Cycle) -> None:
    wave = next(COUNTER)
    messages = [outgoing(cycle, "U0000", "webhook", wave=f"driver@{wave}", n=n) for n in range(len(changes))]
    enqueue(session, messages, T0)
    before = {key: (row.id, row.attempts, row.send_after) for key, row in rows(session, cycle).items()}
    ids = [before[m.key][0] for m in messages]
    other_tz = dt.timezone(dt.timedelta(hours=8))
    DriverStatement(STATEMENT, session.get_bind().dialect).executemany(session.connection(), [
        {"b_id": row_id, "b_error": error, "b_at": None if shift is None else (T0 + dt.timedelta(minutes=shift)).astimezone(other_tz)}
        for row_id, (error, shift) in zip(ids, changes, strict=True)
    ])
    session.expire_all()
    after = rows(session, cycle)
    for message, (error, shift) in zip(messages, changes, strict=True):
        row = after[message.key]
        _, attempts, send_after = before[message.key]
        assert (row.attempts, row.last_error) == (attempts + 7, error)
        assert row.send_after == (send_after if shift is None else T0 + dt.timedelta(minutes=shift))


def test_a_statement_compiled_for_one_database_is_refused_on_another(session: Session) -> None:
    from sqlalchemy.dialects import postgresql, sqlite

    other = postgresql.dialect() if session.get_bind().dialect.name == "sqlite" else sqlite.dialect()
    with pytest.raises(ValueError, match="compiled for"):
        DriverStatement(STATEMENT, other).executemany(session.connection(), [{"b_id": 1, "b_error": None, "b_at": None}])


def test_an_in_list_parameter_is_refused() -> None:
    from sqlalchemy.dialects import sqlite

    with pytest.raises(ValueError, match="expands"):
        DriverStatement(update(TABLE).where(TABLE.c.id.in_(bindparam("ids", expanding=True))).values(status="x"), sqlite.dialect())
