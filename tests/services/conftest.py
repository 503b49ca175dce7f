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

ROSTER = """编码,名称,角色,乡镇,上级,邮箱
A1,弥勒市甲局,被考核单位,弥阳镇,C1,a1@example.org
A2,弥勒市乙局,被考核单位,新哨镇,C1,a2@example.org
V1,弥阳镇扶贫工作站,核查单位,弥阳镇,C1,v1@example.org
V2,新哨镇扶贫工作站,核查单位,新哨镇,C1,v2@example.org
C1,市联席办,协调办公室,,,c1@example.org
"""
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
