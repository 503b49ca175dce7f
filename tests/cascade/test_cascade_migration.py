"""Migration 0005 adds the cycle tree and the date changes on top of 0004 and removes them again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from kaohe.db import downgrade, get_engine, upgrade


def test_0005_upgrades_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    upgrade(url, "0005")
    inspector = inspect(get_engine(url))
    assert "date_changes" in inspector.get_table_names()
    assert {"parent_id", "parent_unit"} <= {c["name"] for c in inspector.get_columns("cycles")}
    assert "pinned_due" in {c["name"] for c in inspector.get_columns("cycle_stages")}
    downgrade(url, "0004")
    inspector = inspect(get_engine(url))
    assert "date_changes" not in inspector.get_table_names()
    assert "parent_id" not in {c["name"] for c in inspector.get_columns("cycles")}
    upgrade(url)
    assert "date_changes" in inspect(get_engine(url)).get_table_names()
    get_engine(url).dispose()
