"""Fixtures for flow tests: a real database, local receivers and settings pointing at them."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from kaohe.db import session_scope
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT, get_settings
from kaohe.store.cycles import create_cycle
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver
from kaohe.workdays import load_calendar

ROSTER = """编码,名称,角色,乡镇,上级,邮箱,回调
A1,弥勒市甲局,被考核单位,弥阳镇,C1,a1@example.org,
A2,弥勒市乙局,被考核单位,新哨镇,C1,a2@example.org,{hook}/a2
A3,弥勒市丙公司,被考核单位,虹溪镇,C1,a3@example.org,
V1,弥阳镇扶贫工作站,核查单位,弥阳镇,C1,v1@example.org,
C1,市联席办,协调办公室,,,c1@example.org,
"""
_counter = itertools.count()


@pytest.fixture
def receivers() -> Iterator[tuple[LocalSmtpReceiver, LocalWebhookReceiver]]:
    """A real SMTP server and a real HTTP receiver on loopback."""
    with LocalSmtpReceiver() as smtp, LocalWebhookReceiver() as hooks:
        yield smtp, hooks


@pytest.fixture
def flow_env(database_url: str, receivers, monkeypatch: pytest.MonkeyPatch, prefect_harness: None):  # type: ignore[no-untyped-def]
    """Settings for the flows: the test database and the local receivers."""
    smtp, hooks = receivers
    monkeypatch.setenv("KAOHE_DATABASE_URL", database_url)
    monkeypatch.setenv("KAOHE_SMTP_HOST", smtp.host)
    monkeypatch.setenv("KAOHE_SMTP_PORT", str(smtp.port))
    for key, value in hooks.settings_overrides().items():
        monkeypatch.setenv(f"KAOHE_{key.upper()}", value)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture
def make_cycle(flow_env: str, receivers, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Create a Mile cycle (year 2018 unless told) on the small roster; returns its key."""
    _, hooks = receivers

    def make(year: int = 2018, policy: str | None = None) -> str:
        roster = tmp_path / f"roster-{next(_counter)}.csv"
        roster.write_text(ROSTER.format(hook=hooks.url), encoding="utf-8")
        scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
        plan = plan_cycle(scheme, year, load_calendar(), policy_override=policy)  # type: ignore[arg-type]
        key = f"mile-{year}-t{next(_counter)}"
        with session_scope(flow_env) as session:
            create_cycle(session, key=key, scheme=scheme, plan=plan, roster=read_roster(roster), actor="test",
                         now=dt.datetime(2018, 11, 1, tzinfo=dt.timezone.utc))
        return key

    return make
