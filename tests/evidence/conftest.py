"""Fixtures for stage work: cycles on a real database, evidence files, a real reference evaluator."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from evidence_support import MILE_ROSTER, TOKEN, bj

from kaohe.db import session_scope
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import create_cycle
from kaohe.testing.evaluator_server import ReferenceServer
from kaohe.workdays import load_calendar

CALENDAR = load_calendar()
_numbers = itertools.count()


@pytest.fixture
def make_cycle(database_url: str, tmp_path: Path) -> Callable[..., str]:
    """Create a cycle of ``scheme`` for ``year`` from roster text (default: a small 弥勒 roster); returns its key."""

    def make(scheme_id: str = "mile", year: int = 2018, roster: str | Path = MILE_ROSTER) -> str:
        if isinstance(roster, Path):
            path = roster
        else:
            path = tmp_path / f"roster-{next(_numbers)}.csv"
            path.write_text(roster, encoding="utf-8")
        scheme = load_scheme(scheme_id, PROJECT_ROOT / "schemes")
        key = f"{scheme_id}-{year}-{uuid.uuid4().hex[:8]}"
        with session_scope(database_url) as session:
            create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, year, CALENDAR), roster=read_roster(path),
                         actor="test", now=bj(year, 11, 1))
        return key

    return make


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """Where evidence files go (settings.home of the test)."""
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file a unit hands in and return its path."""
    folder = tmp_path / "inbox"
    folder.mkdir()

    def make(name: str, content: str | bytes) -> Path:
        path = folder / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    return make


@pytest.fixture
def evaluator() -> Iterator[ReferenceServer]:
    """A real reference evaluator on 127.0.0.1 for one test."""
    with ReferenceServer(token=TOKEN) as server:
        yield server
