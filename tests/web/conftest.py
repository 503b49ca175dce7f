"""Fixtures for the portal: a cycle on a real database, an account per role, a logged-in client per role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_server import serve
from web_support import ROLES, Portal, bj, make_portal


@pytest.fixture(scope="module")
def portal(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """A portal served on a free loopback port, at 2019-01-25 10:00 Beijing: self_check (due 23 Jan) and
    submission (24 Jan) overdue for every unit."""
    made = make_portal(database_url, tmp_path_factory.mktemp("portal"), now=bj(2019, 1, 25))
    with serve(made.app) as base_url:
        made.base_url = base_url
        yield made


@pytest.fixture
def own_portal(database_url: str, tmp_path: Path) -> Iterator[Portal]:
    """A portal of its own (for tests that move its clock)."""
    made = make_portal(database_url, tmp_path / "home", now=bj(2019, 1, 25))
    with serve(made.app) as base_url:
        made.base_url = base_url
        yield made


@pytest.fixture(scope="module")
def clients(portal: Portal) -> dict[str, httpx.Client]:
    """A logged-in client per role."""
    return {role: portal.login(role) for role in ROLES}
