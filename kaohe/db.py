"""Engines, sessions and migrations. Sessions are opened at the edge (CLI command, task) and passed in."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from kaohe.errors import ConfigError

if TYPE_CHECKING:
    from kaohe.workdays import WorkdayCalendar

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_MS = 30_000
#: The PostgreSQL server the tests and benchmarks use when ``KAOHE_TEST_POSTGRES`` does not name another.
TEST_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL per process. SQLite gets WAL, a busy timeout and enforced foreign keys.

    A malformed URL, an unknown driver or a SQLite file in a directory that does not exist is a
    ConfigError naming ``KAOHE_DATABASE_URL`` (no directory is created for an explicit URL).
    """
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        if path and path != ":memory:" and not path.startswith("file:") and not Path(path).parent.is_dir():
            raise ConfigError(f"设置 KAOHE_DATABASE_URL 指向的目录 {Path(path).parent} 不存在或不是目录；请先创建它，或改用已有目录")
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_begin(conn: Connection) -> None:
    """Emit BEGIN ourselves; a unit of work asks for ``BEGIN IMMEDIATE`` (the write lock up front) and its wait."""
    options = conn.get_execution_options()
    busy_ms = int(options.get("kaohe_busy_ms", SQLITE_BUSY_MS))
    if conn.info.get("kaohe_busy_ms", SQLITE_BUSY_MS) != busy_ms:
        conn.exec_driver_sql(f"PRAGMA busy_timeout = {busy_ms}")
        conn.info["kaohe_busy_ms"] = busy_ms
    conn.exec_driver_sql(options.get("kaohe_begin", "BEGIN"))


def _parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
        parsed.get_dialect()
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise ConfigError(f"设置 KAOHE_DATABASE_URL 无效（{safe_url(url)}）：{error}；"
                          "应如 sqlite:////路径/kaohe.db 或 postgresql+psycopg://用户@主机:5432/库名") from None
    except ImportError as error:
        raise ConfigError(f"设置 KAOHE_DATABASE_URL 的数据库驱动未安装（{safe_url(url)}）：{error}") from None
    return parsed


def safe_url(url: str) -> str:
    """``url`` with any password hidden (as much of it as can be parsed)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<无法解析的地址>"


def connection_error(url: str, error: OperationalError) -> ConfigError:
    """A ConfigError naming ``KAOHE_DATABASE_URL`` for a database that cannot be reached or opened."""
    reason = " ".join(str(getattr(error, "orig", None) or error).split())[:300]
    return ConfigError(f"无法连接数据库 {safe_url(url)}（设置 KAOHE_DATABASE_URL）：{reason}")


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    connection.isolation_level = None  # let SQLAlchemy emit BEGIN: savepoints and rollbacks then work as written
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """``session``, committed when the block ends, rolled back if it raises, closed either way."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session whose work is committed when the block ends and rolled back if it raises."""
    with committing(sessionmaker(get_engine(url), expire_on_commit=False)()) as session:
        yield session


def calendar_of(session: Session | None) -> WorkdayCalendar:
    """The working-day calendar of the application context that opened ``session`` (``AppContext.session_factory``
    puts itself in ``Session.info``: its settings' holiday file is merged in); the built-in table for a session
    opened outside any context. Store code takes its calendar from here, never from the environment."""
    context = session.info.get("context") if session is not None else None
    if context is not None:
        calendar: WorkdayCalendar = context.calendar
        return calendar
    from kaohe.workdays import builtin_calendar

    return builtin_calendar()


def postgres_unreachable(server: str) -> str | None:
    """Why the PostgreSQL server at ``server`` cannot be used (one line), or None when it answers."""
    try:
        engine = create_engine(server, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.exec_driver_sql("select 1")
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "not reachable here"
        return f"PostgreSQL not reachable at {safe_url(server)}: {type(error).__name__}"
    return None


@contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """A fresh database named ``prefix`` plus a random suffix on the PostgreSQL ``server`` (its URL, same
    driver), dropped afterwards even while connections to it remain (tests, benchmarks)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = get_engine(url)
    command.upgrade(config, revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at ``url`` back to ``revision``."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = get_engine(url)
    command.downgrade(config, revision)


def ensure_schema(url: str) -> None:
    """Migrate the database to head if it is not there yet (cheap when it already is: one query, and
    Alembic is imported only when there is something to do)."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    try:
        connection = get_engine(url).connect()
    except OperationalError as error:
        raise connection_error(url, error) from None
    with connection:
        try:
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:
            current = []
    if current != [_head_revision()]:
        upgrade(url)


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    """The newest migration: read from the files' ``revision``/``down_revision`` lines, Alembic's
    script directory only if that does not give exactly one head."""
    import re

    revisions: dict[str, str | None] = {}
    pattern = re.compile(r"^(revision|down_revision)\s*=\s*['\"]?([\w]+)['\"]?", re.MULTILINE)
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(pattern.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            down = found.get("down_revision")
            revisions[found["revision"]] = None if down in (None, "None") else down
    heads = set(revisions) - {down for down in revisions.values() if down}
    if len(heads) == 1:
        return heads.pop()
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()
