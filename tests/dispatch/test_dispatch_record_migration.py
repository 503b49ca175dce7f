"""Migration 0006 adds the delivery record (outbox columns, link events, the hash-chained ledger) on top
of 0005 and removes it again, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect

from kaohe.db import downgrade, get_engine, upgrade

OUTBOX_COLUMNS = {"sent_as", "answer", "extras", "fallback_of"}


def _check(url: str) -> None:
    upgrade(url, "0006")
    inspector = inspect(get_engine(url))
    assert {"delivery_events", "delivery_ledger"} <= set(inspector.get_table_names())
    assert OUTBOX_COLUMNS <= {c["name"] for c in inspector.get_columns("outbox")}
    downgrade(url, "0005")
    inspector = inspect(get_engine(url))
    assert not {"delivery_events", "delivery_ledger"} & set(inspector.get_table_names())
    assert not OUTBOX_COLUMNS & {c["name"] for c in inspector.get_columns("outbox")}
    upgrade(url)
    assert "delivery_ledger" in inspect(get_engine(url)).get_table_names()
    get_engine(url).dispose()


def test_0006_upgrades_and_downgrades_on_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'migrate.db'}")


def test_0006_upgrades_and_downgrades_on_postgresql(request: pytest.FixtureRequest) -> None:
    base = request.getfixturevalue("postgres_url")
    import sqlalchemy as sa

    name = f"kaohe_mig_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    try:
        _check(url)
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
