"""One transaction per service call: it commits once, rolls back on error, and its audit entries carry the actor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kaohe.errors import BusyError, NotFoundError
from kaohe.models import AuditEntry, Cycle
from kaohe.services.actors import Actor


class UnitOfWork:
    """``with context.unit_of_work(actor) as uow:`` — work on ``uow.session``, record with ``uow.audit``.

    On SQLite the transaction takes the write lock when it begins (``BEGIN IMMEDIATE``), so two writers
    wait for each other instead of one failing half-way; a wait longer than the busy timeout, or a
    PostgreSQL lock timeout, is a BusyError, never a raw database error.
    """

    def __init__(self, factory: sessionmaker[Session], actor: Actor, *, now: dt.datetime, lock_timeout: float = 30.0) -> None:
        self._factory = factory
        self._lock_timeout = lock_timeout
        self.actor = actor
        self.now = now
        self.session: Session
        self._undo: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        bind = self._factory.kw["bind"]
        if bind.dialect.name == "sqlite":
            bind = bind.execution_options(kaohe_begin="BEGIN IMMEDIATE", kaohe_busy_ms=int(self._lock_timeout * 1000))
        self.session = self._factory(bind=bind)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _tb: TracebackType | None) -> None:
        committed = False
        try:
            if kind is None:
                self.session.commit()
                committed = True
            else:
                self.session.rollback()
        except OperationalError as failure:
            self.session.rollback()
            raise _busy(failure) from None
        finally:
            self.session.close()
            if not committed:
                for undo in reversed(self._undo):
                    undo()
        if isinstance(error, OperationalError) and _is_lock_failure(error):
            raise _busy(error) from None

    def on_failure(self, undo: Callable[[], None]) -> None:
        """Call ``undo`` if this unit of work does not commit (e.g. remove the files it wrote)."""
        self._undo.append(undo)

    def audit(self, action: str, *, cycle_id: int | None = None, subject: str = "", detail: dict[str, Any] | None = None,
              at: dt.datetime | None = None) -> AuditEntry:
        """Append an audit entry by this unit of work's actor, at its instant (or ``at``)."""
        entry = AuditEntry(at=at or self.now, actor=self.actor.account, action=action, cycle_id=cycle_id, subject=subject,
                           detail=detail or {})
        self.session.add(entry)
        return entry

    def lock_cycle(self, key: str) -> Cycle:
        """The cycle ``key``, locked until this unit of work ends (PostgreSQL: ``FOR UPDATE``; SQLite: the write lock)."""
        query = select(Cycle).where(Cycle.key == key)
        try:
            if self.session.get_bind().dialect.name == "postgresql":
                self.session.execute(text(f"SET LOCAL lock_timeout = '{int(self._lock_timeout * 1000)}ms'"))
                query = query.with_for_update()
            cycle = self.session.scalar(query)
        except OperationalError as error:
            raise _busy(error) from None
        if cycle is None:
            known = ", ".join(self.session.scalars(select(Cycle.key).order_by(Cycle.key))) or "（无）"
            raise NotFoundError(f"没有名为 {key} 的周期（已有：{known}）")
        return cycle


def _is_lock_failure(error: OperationalError) -> bool:
    text = str(error.orig).lower()
    return "database is locked" in text or "lock timeout" in text or "deadlock detected" in text


def _busy(error: OperationalError) -> Exception:
    if not _is_lock_failure(error):
        return error
    return BusyError("另一个进程正在处理同一周期，等待超时，本次未作任何改动；请稍后重试")
