"""Fixtures of the results tests: a small 弥勒 cycle on a real database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from results_support import new_mile_cycle


@pytest.fixture
def make_mile_cycle(database_url: str, tmp_path: Path) -> Callable[[], str]:
    """A factory of 弥勒 2018 cycles on the test database; each call returns a new cycle key."""
    return lambda: new_mile_cycle(database_url, tmp_path)
