"""Fixtures for the portal: a cycle on a real database, an account per role, a logged-in client per role; for the
browser tests, one headless Chromium and one SQLite portal per module (their helpers: browser_support.py)."""

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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """ONE headless Chromium for a browser test module: Debian's /usr/bin/chromium (CHROMIUM_PATH) driven by
    Playwright, never a downloaded browser. Skipped, saying why, only when no Chromium is installed.

    Per module, not per session: while Playwright's sync API is started it leaves its event loop marked as
    running in the main thread, so any later test's ``asyncio.run`` fails ("cannot be called from a running
    event loop"); the browser therefore stops with the module that used it (a few browser modules, one
    launch each)."""
    import os

    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        pytest.skip(f"no Chromium at {path} (scripts/test installs Debian's chromium when run as root; or set CHROMIUM_PATH)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium")
    os.environ["XDG_CONFIG_HOME"] = str(profile / "config")
    os.environ["XDG_CACHE_HOME"] = str(profile / "cache")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def sqlite_portal(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One portal on SQLite at 2019-01-25 10:00 for a browser module's steps (in file order), served once."""
    made = make_portal(sqlite_url, tmp_path_factory.mktemp("portal"), now=bj(2019, 1, 25))
    with serve(made.app) as base_url:
        made.base_url = base_url
        yield made


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests leave their screenshots (KAOHE_TEST_ARTIFACTS, default .kaohe/test-artifacts/browser)."""
    import os

    from kaohe.settings import PROJECT_ROOT

    folder = Path(os.environ.get("KAOHE_TEST_ARTIFACTS", PROJECT_ROOT / ".kaohe" / "test-artifacts")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
