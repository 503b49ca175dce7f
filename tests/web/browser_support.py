"""Helpers of the browser tests (the ``browser``, ``artifacts`` and ``sqlite_portal`` fixtures are in conftest.py):
a page logged in as an account, the login form, a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from web_support import PASSWORD, Portal


def log_in(page: Any, name: str) -> None:
    """Fill the login form on ``page`` as ``name`` and send it."""
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def logged_in_page(browser: Any, portal: Portal, name: str, path: str, *, accept_dialogs: bool = False) -> Any:
    """A new browser context's page (Chinese locale, downloads allowed) that opened ``path``, logged in as ``name`` and
    came back to it; ``accept_dialogs``: every confirmation it asks is accepted."""
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    if accept_dialogs:
        page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{portal.base_url}{path}")
    log_in(page, name)
    page.wait_for_url(f"**{path}")
    return page


def shot(page: Any, artifacts: Path, name: str) -> None:
    """A full-page screenshot ``name``.png among the test artifacts."""
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
