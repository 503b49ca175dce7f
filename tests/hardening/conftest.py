"""Fixtures of the hardening tests: small 弥勒 cycles made through the CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hardening_support import kaohe, make_roster


@pytest.fixture
def mile_cycle(kaohe_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., str]:
    """Create a 弥勒 2018 cycle from roster rows (after the office and the verifier); returns its key."""

    def create(rows: list[str], key: str = "mile-2018") -> str:
        roster = make_roster(tmp_path / f"{key}.csv", rows)
        code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster), "--key", key)
        assert code == 0, err
        return key

    return create
