"""Helpers of the results tests: a small 弥勒 cycle on a real database, the sample sheets, what was recorded and queued."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.models import AuditEntry, Obligation, OutboxMessage, Unit
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.services import AppContext, build_context, local_operator
from kaohe.settings import PROJECT_ROOT, Settings
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.workdays import load_calendar

DATA = Path(__file__).resolve().parent / "data"
MILE_SHEET = DATA / "mile-2018.csv"
ROSTER = """编码,名称,类别,角色,乡镇,贫困乡镇,上级,邮箱
M01,市财政局,市级部门,被考核单位,西一镇,是,C1,m01@example.org
M02,市教育局,市级部门,被考核单位,西一镇,是,C1,m02@example.org
M03,市卫健局,市级部门,被考核单位,西一镇,是,C1,m03@example.org
M04,市水务局,市级部门,被考核单位,弥阳镇,否,C1,m04@example.org
M05,市林草局,市级部门,被考核单位,弥阳镇,否,C1,m05@example.org
M06,某建材公司,非公企业,被考核单位,西一镇,是,C1,m06@example.org
M07,某农业公司,非公企业,被考核单位,弥阳镇,否,C1,m07@example.org
V1,西一镇扶贫工作站,乡镇,核查单位,西一镇,是,C1,v1@example.org
C1,市联席办,市级部门,协调办公室,,,,c1@example.org
O1,市委组织部,市级部门,组织部,,,,o1@example.org
"""
_counter = itertools.count()


def bj(y: int, m: int, d: int, h: int = 9, minute: int = 0, s: int = 0) -> dt.datetime:
    """An instant in Beijing time."""
    return dt.datetime(y, m, d, h, minute, s, tzinfo=BEIJING)


def new_mile_cycle(url: str, tmp_path: Path) -> str:
    """Create a 弥勒 2018 cycle (seven assessed units, one verifier, the office); returns its key."""
    roster = tmp_path / f"roster-{next(_counter)}.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    plan = plan_cycle(scheme, 2018, load_calendar())
    key = f"mile-2018-{uuid.uuid4().hex[:10]}"
    with session_scope(url) as session:
        create_cycle(session, key=key, scheme=scheme, plan=plan, roster=read_roster(roster), actor="test",
                     now=dt.datetime(2018, 11, 1, tzinfo=dt.timezone.utc))
    return key


def audit(url: str, key: str, action: str) -> list[AuditEntry]:
    """The cycle's audit entries of ``action``, oldest first."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        return list(session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle.id, AuditEntry.action == action)
                                    .order_by(AuditEntry.id)))


def messages(url: str, key: str, kind: str | None = None) -> list[tuple[str, str, str, str]]:
    """``(unit code, kind, key, body)`` of the cycle's outbox messages, in insertion order."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        query = (select(Unit.code, OutboxMessage.kind, OutboxMessage.key, OutboxMessage.body)
                 .join(Unit, Unit.id == OutboxMessage.unit_id).where(OutboxMessage.cycle_id == cycle.id).order_by(OutboxMessage.id))
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return [tuple(row) for row in session.execute(query).all()]  # type: ignore[misc]


def obligation(url: str, key: str, stage: str, code: str) -> Obligation | None:
    """The unit's obligation in ``stage`` (detached), or None."""
    from kaohe.models import CycleStage

    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        return session.scalar(select(Obligation).join(CycleStage, Obligation.stage_id == CycleStage.id)
                              .join(Unit, Obligation.unit_id == Unit.id)
                              .where(CycleStage.cycle_id == cycle.id, CycleStage.key == stage, Unit.code == code))


def approve_all(url: str, home: Path, key: str, at: dt.datetime) -> None:
    """Every approval step of the version in force, recorded by an account of the step's role at ``at``."""
    from kaohe.clock import SimulatedClock
    from kaohe.services import Actor, Role, build_context
    from kaohe.services.approval import ApproveResults, approve_results
    from kaohe.settings import Settings
    from kaohe.store.advance import scheme_of

    context = build_context(Settings(database_url=url, home=home), clock=SimulatedClock(at))
    with session_scope(url) as session:
        steps = [(s.id, s.role) for s in scheme_of(get_cycle(session, key)).approval.steps]
    for step, role in steps:
        approve_results(context, ApproveResults(Actor(f"{role}-account", Role(role)), key, step))


def results_context(url: str, home: Path) -> AppContext:
    """A services context on the database ``url`` with its files under ``home``, the built-in settings otherwise."""
    return build_context(Settings.builtin().replaced(database_url=url, home=home))


def aggregate(url: str, home: Path, key: str, at: dt.datetime, *, by: str = "coordinator", **fields: Any) -> dict[str, Any]:
    """The aggregate service acting as the operator ``by`` at ``at`` (``fields``: the rest of ``Aggregate``, such as
    ``sheet`` or ``reason``); its outcome as JSON-ready data."""
    from kaohe.services.aggregation import Aggregate
    from kaohe.services.aggregation import aggregate as run

    return run(results_context(url, home), Aggregate(local_operator(by), key, at=at, **fields)).to_json()


def feedback(url: str, home: Path, key: str, at: dt.datetime, *, by: str = "coordinator") -> dict[str, Any]:
    """The send-feedback service acting as the operator ``by`` at ``at``; its outcome as JSON-ready data."""
    from kaohe.services.aggregation import SendFeedback, send_feedback

    return send_feedback(results_context(url, home), SendFeedback(local_operator(by), key, at)).to_json()
