"""The safety net keeps scheduled runs in step (#14): after a cascade re-plan the child cycles' runs are re-synced
without anyone running schedule-cycle, and a changed holiday file (KAOHE_HOLIDAYS_FILE) is noticed and re-plans.

Real flow runs under the session's Prefect harness, on a database of the test's own (the safety net advances every
active cycle in it): a SQLite file, and a scratch PostgreSQL database where one answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType, FlowRunFilterTags
from prefect.client.schemas.objects import StateType
from sqlalchemy import select

from kaohe.cascade.levels import stored_parent_dates
from kaohe.clock import BEIJING
from kaohe.db import postgres_unreachable, scratch_database, session_scope, upgrade
from kaohe.engine.advance import wave_instants
from kaohe.engine.schedule import run_key
from kaohe.flows.advance_all import advance_all_cycles
from kaohe.flows.advance_cycle import advance_cycle
from kaohe.flows.schedule_cycle import schedule_cycle
from kaohe.models import Cycle, OutboxMessage, Unit
from kaohe.planning import end_of_day, plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.schemes.loader import load_lineage
from kaohe.settings import PROJECT_ROOT, get_settings
from kaohe.store.advance import obligation_states, stage_states
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.store.obligations import extend
from kaohe.workdays import load_calendar

SCHEMES, SAMPLES = PROJECT_ROOT / "schemes", PROJECT_ROOT / "samples"
PG_SERVER = os.environ.get("KAOHE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_numbers = itertools.count()
HOLIDAYS_2027 = """years:
  2027:
    holidays:
      "2027-01-01": 元旦
      "2027-01-25": 测试假日
    workdays: {}
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def own_db(request: pytest.FixtureRequest, tmp_path: Path, receivers, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
           prefect_harness: None) -> Iterator[str]:
    """A database of this test only, with the flows' settings pointing at it and at the local receivers."""
    smtp, hooks = receivers

    def configure(url: str) -> None:
        upgrade(url)
        monkeypatch.setenv("KAOHE_DATABASE_URL", url)
        monkeypatch.setenv("KAOHE_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("KAOHE_SMTP_HOST", smtp.host)
        monkeypatch.setenv("KAOHE_SMTP_PORT", str(smtp.port))
        monkeypatch.delenv("KAOHE_HOLIDAYS_FILE", raising=False)
        for key, value in hooks.settings_overrides().items():
            monkeypatch.setenv(f"KAOHE_{key.upper()}", value)
        get_settings.cache_clear()

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sync.db'}"
        configure(url)
        yield url
    else:
        reason = postgres_unreachable(PG_SERVER)
        if reason:
            pytest.skip(reason)
        with scratch_database(PG_SERVER, "kaohe_sync") as url:
            configure(url)
            yield url
    get_settings.cache_clear()


def register_advance_deployment() -> None:
    """The advance-cycle deployment that schedule-cycle creates runs of (idempotent)."""

    async def register() -> None:
        await (await advance_cycle.to_deployment(name="advance-cycle")).apply()

    asyncio.run(register())


def scheduled_keys(key: str) -> set[str]:
    """Idempotency keys of the cycle's advance runs still scheduled on the server."""

    async def read() -> set[str]:
        async with get_client() as client:
            runs = await client.read_flow_runs(flow_run_filter=FlowRunFilter(
                tags=FlowRunFilterTags(all_=[f"cycle:{key}"]),
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))), limit=200)
        return {str(run.idempotency_key) for run in runs}

    return asyncio.run(read())


def expected_keys(url: str, key: str, now: dt.datetime, holidays: Path | None = None) -> set[str]:
    """The run keys the cycle's stored dates call for after ``now``."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        instants = wave_instants(stage_states(cycle), obligation_states(session, cycle), load_calendar(holidays), cycle.office_hours)
    return {run_key(key, i) for i in instants if i > now}


def marks(url: str) -> dict[str, tuple[bool, str | None]]:
    """Per cycle: whether its runs are marked out of step, and its calendar fingerprint."""
    with session_scope(url) as session:
        return {c.key: (c.schedule_stale_since is not None, c.calendar_hash) for c in session.scalars(select(Cycle))}


def told(url: str, kind: str) -> list[tuple[str, str]]:
    """(cycle, unit) of every message of ``kind``, sorted (repeats kept)."""
    with session_scope(url) as session:
        rows = session.execute(select(Cycle.key, Unit.code).join(OutboxMessage, OutboxMessage.cycle_id == Cycle.id)
                               .join(Unit, Unit.id == OutboxMessage.unit_id).where(OutboxMessage.kind == kind)).all()
    return sorted((k, c) for k, c in rows)


def test_a_parent_extension_re_syncs_the_child_cycles_runs(own_db: str, tmp_path: Path) -> None:
    # #14 3: when a parent date moves every level below re-plans — and their scheduled runs follow, untouched by hand.
    register_advance_deployment()
    calendar = load_calendar()
    now = dt.datetime(2020, 1, 14, 10, tzinfo=BEIJING)  # Tuesday, two days before the county deadline
    province_roster = tmp_path / "province.csv"
    lines = (SAMPLES / "sichuan-roster.csv").read_text(encoding="utf-8").splitlines()
    province_roster.write_text("\n".join(line for line in lines if line.split(",")[0] in ("编码", "SC-OFFICE", "SC-C08")) + "\n",
                               encoding="utf-8")
    lineage = load_lineage(str(SAMPLES / "sichuan-city-example.yaml"), SCHEMES)
    suffix = f"s{next(_numbers)}"
    with session_scope(own_db) as session:
        province = create_cycle(session, key=f"sichuan-2019-{suffix}", scheme=lineage[1], plan=plan_cycle(lineage[1], 2019, calendar),
                                roster=read_roster(province_roster), actor="admin", now=now)
        session.flush()
        city = create_cycle(session, key=f"suining-2019-{suffix}", scheme=lineage[0],
                            plan=plan_cycle(lineage[0], 2019, calendar, parent=stored_parent_dates(province)),
                            roster=read_roster(SAMPLES / "sichuan-city-suining-roster.csv"), actor="admin", now=now,
                            parent=province, parent_unit="SC-C08")
        keys = (province.key, city.key)
    asyncio.run(schedule_cycle(city.key, now=now))
    before = scheduled_keys(city.key)
    assert before == expected_keys(own_db, city.key, now)

    with session_scope(own_db) as session:
        extend(session, get_cycle(session, province.key), "self_check", end_of_day(calendar.add_working_days(dt.date(2020, 1, 20), 3)),
               unit_codes=None, reason="省里统一延长自查报送时限三个工作日", actor="admin", now=now)
    assert {k: v[0] for k, v in marks(own_db).items()} == {province.key: True, city.key: True}

    later = now + dt.timedelta(minutes=30)
    advanced = asyncio.run(advance_all_cycles(as_of=later))
    assert [r["cycle"] for r in advanced] == sorted(keys)
    after = scheduled_keys(city.key)
    assert after == expected_keys(own_db, city.key, later) and after != before
    assert run_key(city.key, dt.datetime(2020, 1, 20, 9, tzinfo=BEIJING)) in after  # due_today of the county deadline, moved 16 → 20
    assert scheduled_keys(province.key) == expected_keys(own_db, province.key, later)
    assert {k: v[0] for k, v in marks(own_db).items()} == {province.key: False, city.key: False}
    # each county told once; the calendar check of the same run re-planned nothing more (the table did not change)
    assert told(own_db, "dates_changed") == [(city.key, "SN-X01"), (city.key, "SN-X02"), (city.key, "SN-X03")]
    assert {v[1] for v in marks(own_db).values()} == {calendar.fingerprint()}


def test_a_changed_holiday_file_is_noticed_and_re_plans_only_what_moved(own_db: str, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # #14 “a newly published holiday table that settles provisional dates”: the 2026 cycle's 2027 dates are provisional.
    register_advance_deployment()
    now = dt.datetime(2027, 1, 20, 10, tzinfo=BEIJING)  # the cycle's 2027 dates are still provisional
    scheme = load_scheme("mile", SCHEMES)
    roster = tmp_path / "roster.csv"
    roster.write_text("编码,名称,角色,乡镇,上级,邮箱\nA1,弥勒市甲局,被考核单位,弥阳镇,C1,a1@example.org\n"
                      "V1,弥阳镇扶贫工作站,核查单位,弥阳镇,C1,v1@example.org\nC1,市联席办,协调办公室,,,c1@example.org\n", encoding="utf-8")
    key = f"mile-2026-h{next(_numbers)}"
    with session_scope(own_db) as session:
        create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, 2026, load_calendar()), roster=read_roster(roster),
                     actor="admin", now=now - dt.timedelta(days=60))
    asyncio.run(schedule_cycle(key, now=now))
    asyncio.run(advance_all_cycles(as_of=now))
    stamped = marks(own_db)[key]
    assert stamped[0] is False and stamped[1] == load_calendar().fingerprint() and told(own_db, "dates_changed") == []
    before = scheduled_keys(key)

    holidays = tmp_path / "holidays-2027.yaml"
    holidays.write_text(HOLIDAYS_2027, encoding="utf-8")
    monkeypatch.setenv("KAOHE_HOLIDAYS_FILE", str(holidays))
    get_settings.cache_clear()
    later = now + dt.timedelta(minutes=30)
    asyncio.run(advance_all_cycles(as_of=later))
    with session_scope(own_db) as session:
        cycle = get_cycle(session, key)
        dues = {s.key: s.due_at.astimezone(BEIJING).date() for s in cycle.stages}
        assert not next(s for s in cycle.stages if s.key == "self_check").provisional
    # 自查自评 (source 23 Jan, a Saturday) and 报送乡镇 (24 Jan) moved from Monday the 25th, now a holiday, to the 26th
    assert (dues["self_check"], dues["submission"], dues["verification"]) == (dt.date(2027, 1, 26),) * 3
    assert told(own_db, "dates_changed") == [(key, "A1")]  # only the unit whose dates moved (not V1: 核实 stays the 26th), once
    after = scheduled_keys(key)
    assert after == expected_keys(own_db, key, later, holidays) and after != before
    assert run_key(key, dt.datetime(2027, 1, 26, 9, tzinfo=BEIJING)) in after
    assert marks(own_db)[key] == (False, load_calendar(holidays).fingerprint())
    asyncio.run(advance_all_cycles(as_of=later + dt.timedelta(minutes=30)))
    assert told(own_db, "dates_changed") == [(key, "A1")] and scheduled_keys(key) == after
