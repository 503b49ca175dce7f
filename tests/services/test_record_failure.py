"""A scheduled step's failure goes to the audit log through its service: only a scheduled flow records one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from kaohe.errors import NotFoundError, PermissionDeniedError
from kaohe.models import AuditEntry
from kaohe.services import Actor, AppContext, Role, system
from kaohe.services.failures import RecordFailure, record_failure

AT = dt.datetime(2019, 1, 26, 9, 0, tzinfo=dt.timezone.utc)
PROBLEMS = ("单位 M02（市教育局）：既没有已签字确认的核实得分", "单位 M03：缺少得分")


def failures(context: AppContext, key: str) -> list[tuple[str, str, dt.datetime, dict[str, object]]]:
    """(actor, subject, instant, detail) of the aggregation failures recorded about cycle ``key``."""
    with context.reading() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.subject, AuditEntry.at, AuditEntry.detail).where(
            AuditEntry.action == "results.aggregation_failed", AuditEntry.subject == key))
        return [(actor, subject, at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at, detail)
                for actor, subject, at, detail in rows]


def test_the_flow_records_every_problem_at_the_instant_it_failed(context: AppContext, make_cycle: Callable[[], str]) -> None:
    key = make_cycle()
    record_failure(context, RecordFailure(system("flow:advance-cycle"), key, "results.aggregation_failed", "ScoreSheetError",
                                          PROBLEMS, AT))
    assert failures(context, key) == [("flow:advance-cycle", key, AT, {"error": "ScoreSheetError", "problems": list(PROBLEMS)})]


def test_an_account_cannot_record_a_flow_failure_and_an_unknown_cycle_is_named(context: AppContext,
                                                                               make_cycle: Callable[[], str]) -> None:
    key = make_cycle()
    with pytest.raises(PermissionDeniedError, match="failure.record"):
        record_failure(context, RecordFailure(Actor("office", Role.COORDINATOR), key, "results.aggregation_failed", "X", (), AT))
    with pytest.raises(NotFoundError, match="没有名为 no-such-cycle 的周期"):
        record_failure(context, RecordFailure(system("flow:advance-cycle"), "no-such-cycle", "results.aggregation_failed", "X", (), AT))
    assert failures(context, key) == failures(context, "no-such-cycle") == []
