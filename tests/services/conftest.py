"""Fixtures for the services: a context on each real database and a small Mile cycle in it."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from kaohe.db import session_scope
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.services import AppContext, build_context
from kaohe.settings import PROJECT_ROOT, Settings
from kaohe.store.cycles import create_cycle
from kaohe.workdays import load_calendar

ROSTER_FILE = Path(__file__).parent / "roster.csv"
ROSTER = ROSTER_FILE.read_text(encoding="utf-8")
_counter = itertools.count()


@pytest.fixture
def context(database_url: str, tmp_path: Path) -> AppContext:
    """An application context on the test database with a private home."""
    return build_context(Settings(database_url=database_url, home=tmp_path))


@pytest.fixture
def make_cycle(context: AppContext, tmp_path: Path) -> Callable[[], str]:
    """Create a Mile 2018 cycle on the small roster; returns its key."""

    def make() -> str:
        roster = tmp_path / f"roster-{next(_counter)}.csv"
        roster.write_text(ROSTER, encoding="utf-8")
        scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
        plan = plan_cycle(scheme, 2018, load_calendar())
        key = f"mile-2018-s{next(_counter)}-{tmp_path.name[-6:]}"
        with session_scope(context.database_url) as session:
            create_cycle(session, key=key, scheme=scheme, plan=plan, roster=read_roster(roster), actor="test",
                         now=dt.datetime(2018, 11, 1, tzinfo=dt.timezone.utc))
        return key

    return make
