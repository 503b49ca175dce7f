"""Migration 0009 adds a cycle's schedule mark and calendar fingerprint on top of 0008 and removes them again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from kaohe.db import downgrade, get_engine, upgrade


def test_0009_upgrades_and_downgrades(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    upgrade(url, "0009")
    assert {"schedule_stale_since", "calendar_hash"} <= {c["name"] for c in inspect(get_engine(url)).get_columns("cycles")}
    downgrade(url, "0008")
    assert not {"schedule_stale_since", "calendar_hash"} & {c["name"] for c in inspect(get_engine(url)).get_columns("cycles")}
    upgrade(url)
    assert "calendar_hash" in {c["name"] for c in inspect(get_engine(url)).get_columns("cycles")}
    get_engine(url).dispose()
