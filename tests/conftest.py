"""Shared fixtures: an isolated KAOHE_HOME, a real database per backend, one Prefect harness per session."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="kaohe-tests-"))
os.environ["KAOHE_HOME"] = str(_HOME)
os.environ.pop("KAOHE_DATABASE_URL", None)
os.environ.pop("KAOHE_HOLIDAYS_FILE", None)
os.environ.setdefault("PREFECT_HOME", str(_HOME / "prefect"))
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from sqlalchemy.orm import Session  # noqa: E402

from kaohe.db import TEST_POSTGRES, get_engine, postgres_unreachable, scratch_database, upgrade  # noqa: E402
from kaohe.settings import get_settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("KAOHE_TEST_POSTGRES", TEST_POSTGRES)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    reason = postgres_unreachable(PG_SERVER)
    if reason:
        pytest.skip(reason)
    with scratch_database(PG_SERVER, "kaohe_test") as url:
        yield url


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file for this test session."""
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'kaohe.db'}"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL, migrated to head."""
    url = request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param])
    upgrade(url)
    return url


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test (commits become savepoints)."""
    connection = get_engine(database_url).connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def kaohe_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private KAOHE_HOME (and its SQLite file) for CLI tests; settings re-read."""
    monkeypatch.setenv("KAOHE_HOME", str(tmp_path))
    monkeypatch.delenv("KAOHE_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for the whole session (started on first use)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def mile_simulation(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """What ``./scripts/demo`` makes (Mile 2018 on the sample roster, seed "kaohe"), simulated once per session:
    the report and the workdir holding simulation.db, the stored files and the results. Read it; copy it to change it."""
    from kaohe.planning import plan_cycle
    from kaohe.roster import read_roster
    from kaohe.schemes import load_scheme
    from kaohe.settings import PROJECT_ROOT
    from kaohe.simulate.runner import run_simulation
    from kaohe.workdays import load_calendar

    workdir = tmp_path_factory.mktemp("mile-simulation")
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    calendar = load_calendar()
    report = run_simulation(scheme, plan_cycle(scheme, 2018, calendar), read_roster(PROJECT_ROOT / "samples" / "mile-roster.csv"), calendar,
                            seed="kaohe", workdir=workdir).to_json()
    return report, workdir


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``scripts/test`` runs the suite on every core, a test file per worker at a time),
    the files with Prefect flows and servers (marked ``prefect`` or using the harness), the slowest, are handed
    out first so no worker is left running one alone at the end. A plain pytest run keeps the files' order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("prefect") is None and "prefect_harness" not in item.fixturenames)


def _hypothesis_profiles() -> None:
    """CI replays the same examples every run (no flaky red main); locally hypothesis explores."""
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    settings.register_profile("thorough", max_examples=2000)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


_hypothesis_profiles()
