"""The application context: what every service needs, built once at each edge.

An edge (a CLI command, a Prefect flow run, the web app, the simulation) calls ``build_context()``
once and hands the context to the services; nothing below the edge reads the environment. Tests
and the simulation build their own context (their settings, a simulated clock, an SMTP transport).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from kaohe.clock import Clock, SystemClock
from kaohe.services.actors import Actor
from kaohe.services.files import FileStore
from kaohe.services.unit_of_work import UnitOfWork
from kaohe.settings import Settings, get_settings

if TYPE_CHECKING:
    import httpx

    from kaohe.evaluator import EvaluatorClient
    from kaohe.notifications.channel import Channel
    from kaohe.notifications.email import SmtpTransport
    from kaohe.workdays import WorkdayCalendar

_MIGRATED: set[str] = set()
_MIGRATE_LOCK = threading.Lock()


def load_settings() -> Settings:
    """The settings of the environment; a malformed ``KAOHE_*`` variable is one ConfigError line."""
    return get_settings()


def migrate_once(url: str) -> None:
    """Bring the database at ``url`` to the newest schema, once per process."""
    if url in _MIGRATED:
        return
    with _MIGRATE_LOCK:
        if url not in _MIGRATED:
            from kaohe.db import ensure_schema

            ensure_schema(url)
            _MIGRATED.add(url)


@dataclass
class AppContext:
    """Settings, database, clock, working-day calendar, file store and the factories of the outside world."""

    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    smtp: SmtpTransport | None = None
    """The mail transport (None: the real one from the settings); tests and the simulation inject theirs."""

    @property
    def database_url(self) -> str:
        """The kaohe database in force."""
        return self.settings.effective_database_url

    @cached_property
    def session_factory(self) -> sessionmaker[Session]:
        """Sessions on kaohe's database (the schema is migrated when the context is built)."""
        from kaohe.db import get_engine

        return sessionmaker(get_engine(self.database_url), expire_on_commit=False, info={"context": self})

    @cached_property
    def calendar(self) -> WorkdayCalendar:
        """The working-day calendar: the built-in table merged with ``KAOHE_HOLIDAYS_FILE``."""
        from kaohe.workdays import load_calendar

        return load_calendar(self.settings.holidays_file)

    @property
    def files(self) -> FileStore:
        """Where evidence, letters and sample records are written (under ``KAOHE_HOME``)."""
        return FileStore(Path(self.settings.home))

    def unit_of_work(self, actor: Actor) -> UnitOfWork:
        """One transaction acting for ``actor``: committed once when the block ends, rolled back if it raises."""
        return UnitOfWork(self.session_factory, actor, now=self.clock.now(), lock_timeout=self.settings.lock_timeout_seconds)

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session on this context's database committed when the block ends, rolled back if it raises (no actor,
        no audit entry: the flows' own bookkeeping, such as sending the outbox)."""
        from kaohe.db import committing

        with committing(self.session_factory()) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reading only (nothing it does is committed)."""
        session = self.session_factory()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def evaluator(self, http: httpx.AsyncClient) -> EvaluatorClient:
        """The third-party evaluator client on ``http``; ConfigError when it is not configured."""
        from kaohe.evaluator import EvaluatorClient

        return EvaluatorClient.from_settings(http, self.settings)

    def channels(self, http: httpx.AsyncClient, *, smtp: SmtpTransport | None = None,
                 robot_secrets: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Channel]:
        """The notification channels by name, on ``http`` and this context's mail transport (or ``smtp``)."""
        from kaohe.notifications.registry import build_channels

        channels: dict[str, Channel] = build_channels(self.settings, http, smtp=smtp or self.smtp, robot_secrets=robot_secrets)
        return channels




def build_context(settings: Settings | None = None, *, clock: Clock | None = None, smtp: SmtpTransport | None = None,
                  calendar: WorkdayCalendar | None = None, migrate: bool = True) -> AppContext:
    """The context of an edge: ``settings`` (default: the environment's), the clock, and the schema migrated once.

    ``calendar`` replaces the one the settings name (the simulation passes the one it planned with).
    """
    context = AppContext(settings or load_settings(), clock or SystemClock(), smtp)
    if calendar is not None:
        context.calendar = calendar
    if migrate:
        migrate_once(context.database_url)
    return context


_CURRENT: ContextVar[AppContext | None] = ContextVar("kaohe_context", default=None)


@contextmanager
def using(context: AppContext) -> Iterator[AppContext]:
    """Make ``context`` the one that flows and tasks started inside the block use (the simulation's)."""
    token = _CURRENT.set(context)
    try:
        yield context
    finally:
        _CURRENT.reset(token)


_PROCESS: list[AppContext] = []
_PROCESS_LOCK = threading.Lock()


def current_context() -> AppContext:
    """The context of a flow or task run: the one installed with ``using`` (the simulation's, a test's), else
    the process's own, built once from the environment the first time a task asks (a Prefect worker's runs)."""
    installed = _CURRENT.get()
    if installed is not None:
        return installed
    settings = load_settings()
    with _PROCESS_LOCK:
        if not _PROCESS or _PROCESS[0].settings is not settings:
            _PROCESS[:] = [build_context(settings)]
        return _PROCESS[0]
