"""Migration 0002: its tables match the models on both backends, and it goes down and up again."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from kaohe.db import downgrade, get_engine, upgrade
from kaohe.models import Base

TABLES = {"submissions", "submission_closures", "item_scores", "verification_signoffs", "sample_draws",
          "third_party_reviews", "supervision_orders"}


def test_the_migrated_schema_is_the_models(database_url: str) -> None:
    with get_engine(database_url).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata) == []
        assert TABLES <= set(inspect(connection).get_table_names())


def test_down_to_0001_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    downgrade(url, "0001")
    assert not TABLES & set(inspect(get_engine(url)).get_table_names())
    upgrade(url)
    assert TABLES <= set(inspect(get_engine(url)).get_table_names())
    get_engine(url).dispose()
