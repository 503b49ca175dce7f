"""The cascade from the command line: child cycles under a province, the tree side by side, and a holiday
table published for a provisional year (KAOHE_HOLIDAYS_FILE) re-resolving every active cycle of the tree,
telling only the units whose dates changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.db import session_scope
from kaohe.models import Cycle, OutboxMessage, Unit
from kaohe.settings import PROJECT_ROOT, get_settings

SAMPLES = PROJECT_ROOT / "samples"
EXAMPLE = SAMPLES / "sichuan-city-example.yaml"
HOLIDAYS_2027 = """years:
  2027:
    holidays:
      2027-01-01: 元旦
      2027-02-06: 春节
      2027-02-07: 春节
      2027-02-08: 春节
      2027-02-09: 春节
      2027-02-10: 春节
      2027-02-11: 春节
      2027-02-12: 春节
    workdays:
      2027-01-17: 春节
"""


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _tree(capsys: pytest.CaptureFixture[str], year: int) -> None:
    extra = ["--outside-validity"] if year > 2020 else []  # Sichuan's method runs 2016–2020 (第四条)
    code, _, err = kaohe(capsys, "cycle", "create", "sichuan", "--year", str(year), "--roster", str(SAMPLES / "sichuan-roster.csv"), *extra)
    assert code == 0, err
    for code_, key, roster in (("SC-C08", "suining", "sichuan-city-suining-roster.csv"), ("SC-C09", "neijiang", "sichuan-city-neijiang-roster.csv")):
        code, out, err = kaohe(capsys, "cycle", "create", str(EXAMPLE), "--year", str(year), "--roster", str(SAMPLES / roster),
                               "--key", f"{key}-{year}", "--parent", f"sichuan-{year}", "--parent-unit", code_, *extra)
        assert code == 0, err
        assert f"上级周期 sichuan-{year}" in out


def _dues(capsys: pytest.CaptureFixture[str], root: str) -> dict[tuple[str, str], tuple[str, bool]]:
    code, out, _ = kaohe(capsys, "status", root, "--tree", "--json")
    assert code == 0
    return {(c["cycle"], s["stage"]): (s["due"], s["provisional"]) for c in json.loads(out)["cycles"] for s in c["stages"]}


def test_child_cycles_and_the_tree_side_by_side(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    _tree(capsys, 2019)
    code, out, _ = kaohe(capsys, "status", "suining-2019", "--tree")
    assert code == 0
    assert "周期树 sichuan-2019（各级截止并列）" in out
    dues = _dues(capsys, "sichuan-2019")
    assert dues[("suining-2019", "county_self_check")] == ("2020-01-16", False)
    assert dues[("sichuan-2019", "self_check")] == ("2020-01-20", False)
    # a child of another year, or under a unit the parent does not have, is refused in one line
    code, _, err = kaohe(capsys, "cycle", "create", str(EXAMPLE), "--year", "2018", "--roster", str(SAMPLES / "sichuan-city-suining-roster.csv"),
                         "--key", "x-2018", "--parent", "sichuan-2019")
    assert code == 5 and err.count("\n") == 1 and "2019 年度" in err
    code, _, err = kaohe(capsys, "cycle", "create", str(EXAMPLE), "--year", "2019", "--roster", str(SAMPLES / "sichuan-city-suining-roster.csv"),
                         "--key", "x-2019", "--parent", "sichuan-2019", "--parent-unit", "NOPE")
    assert code == 4 and "NOPE" in err
    # the province extends self-report from the command line: the cities follow
    code, _, err = kaohe(capsys, "extend", "sichuan-2019", "--stage", "self_check", "--to", "2020-01-23", "--at", "2020-01-10T10:00", "--reason", "延期三个工作日")
    assert code == 0, err
    dues = _dues(capsys, "sichuan-2019")
    assert dues[("suining-2019", "county_self_check")][0] == dues[("neijiang-2019", "county_self_check")][0] == "2020-01-20"
    code, out, _ = kaohe(capsys, "status", "sichuan-2019", "--tree", "--json")
    assert [c["unacknowledged_changes"] for c in json.loads(out)["cycles"]] == [0, 1, 1]
    code, out, err = kaohe(capsys, "cycle", "ack", "suining-2019", "--by", "SN-OFFICE", "--note", "已收悉")
    assert code == 0, err
    code, _, err = kaohe(capsys, "cycle", "ack", "suining-2019", "--by", "SN-OFFICE")
    assert code == 5 and "没有待确认" in err


def test_a_holiday_table_for_a_provisional_year_re_resolves_the_tree_and_tells_only_who_moved(
        capsys, kaohe_env, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _tree(capsys, 2026)  # deadlines in 2027: no official table yet, every date provisional
    before = _dues(capsys, "sichuan-2026")
    assert before[("sichuan-2026", "self_check")] == ("2027-01-20", True)
    assert before[("suining-2026", "county_self_check")] == ("2027-01-15", True)
    assert before[("sichuan-2026", "comprehensive_evaluation")] == ("2027-02-10", True)
    assert before[("neijiang-2026", "comprehensive_evaluation")] == ("2027-02-03", True)

    table = tmp_path / "holidays-2027.yaml"
    table.write_text(HOLIDAYS_2027, encoding="utf-8")
    monkeypatch.setenv("KAOHE_HOLIDAYS_FILE", str(table))
    get_settings.cache_clear()
    code, out, err = kaohe(capsys, "cycle", "replan", "--reason", "国务院办公厅公布2027年节假日安排", "--json")
    assert code == 0, err
    report = json.loads(out)

    after = _dues(capsys, "sichuan-2026")
    assert not any(provisional for _, provisional in after.values())
    assert after[("sichuan-2026", "self_check")][0] == "2027-01-20"  # a Wednesday either way
    assert after[("suining-2026", "county_self_check")][0] == "2027-01-17"  # Sunday the 17th is now a working day (调休)
    assert after[("sichuan-2026", "comprehensive_evaluation")][0] == "2027-02-15"  # 10 Feb is in the Spring Festival holiday
    assert after[("neijiang-2026", "comprehensive_evaluation")][0] == "2027-02-01"  # 5 working days before the 15th
    assert after[("suining-2026", "feedback")][0] == "2027-02-22"
    assert after[("suining-2026", "self_check")] == (before[("suining-2026", "self_check")][0], False)  # did not move
    assert set(report["moved"]) == {"sichuan-2026", "suining-2026", "neijiang-2026"}

    with session_scope(get_settings().effective_database_url) as session:
        told = sorted(session.execute(
            select(Cycle.key, Unit.code, OutboxMessage.kind).join(Cycle, OutboxMessage.cycle_id == Cycle.id)
            .join(Unit, OutboxMessage.unit_id == Unit.id).where(OutboxMessage.kind.in_(("dates_changed", "change_ack")))).all())
    expected = [("sichuan-2026", "SC-OFFICE", "dates_changed")]  # its feedback moved; no assessed unit's deadline did
    for key, prefix in (("neijiang-2026", "NJ"), ("suining-2026", "SN")):
        expected += [(key, f"{prefix}-ASSESS", "dates_changed"), (key, f"{prefix}-OFFICE", "change_ack")]
        expected += [(key, f"{prefix}-X0{n}", "dates_changed") for n in (1, 2, 3)]
    assert [tuple(row) for row in told] == sorted(expected)

    code, out, _ = kaohe(capsys, "cycle", "replan", "--json")  # again: nothing moves, nobody is told twice
    assert json.loads(out)["moved"] == {} and json.loads(out)["queued"] == 0
    get_settings.cache_clear()


def test_only_an_admin_or_the_cycles_own_coordinator_acknowledges(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    from kaohe.errors import PermissionDeniedError
    from kaohe.services import Actor, Role, build_context
    from kaohe.services.cascade import AcknowledgeDateChanges, acknowledge_date_changes

    _tree(capsys, 2019)
    assert kaohe(capsys, "extend", "sichuan-2019", "--stage", "self_check", "--to", "2020-01-23", "--at", "2020-01-10T10:00", "--reason", "延期")[0] == 0
    context = build_context()
    for stranger in (Actor("sn-x01", Role.UNIT, unit="SN-X01"), Actor("nj-office", Role.COORDINATOR, cycles=frozenset({"neijiang-2019"}))):
        with pytest.raises(PermissionDeniedError):
            acknowledge_date_changes(context, AcknowledgeDateChanges(stranger, "suining-2019"))
    own = Actor("sn-office", Role.COORDINATOR, cycles=frozenset({"suining-2019"}))
    assert len(acknowledge_date_changes(context, AcknowledgeDateChanges(own, "suining-2019", note="已收悉"))) == 1
    code, out, _ = kaohe(capsys, "status", "sichuan-2019", "--tree", "--json")
    assert [c["unacknowledged_changes"] for c in json.loads(out)["cycles"]] == [0, 1, 0]


def _extended_with_suining_acknowledged(capsys):  # type: ignore[no-untyped-def]
    """The Sichuan 2019 tree with the province's self-check extended (a date change for both city cycles), acknowledged
    by Suining only; the context and the next working morning after Neijiang's cycle was made."""
    import datetime as dt

    from kaohe.clock import BEIJING
    from kaohe.services import build_context

    _tree(capsys, 2019)
    assert kaohe(capsys, "extend", "sichuan-2019", "--stage", "self_check", "--to", "2020-01-23", "--at", "2020-01-10T10:00", "--reason", "延期")[0] == 0
    assert kaohe(capsys, "cycle", "ack", "suining-2019", "--by", "SN-OFFICE")[0] == 0
    context = build_context()
    with session_scope(get_settings().effective_database_url) as session:
        changed_on = session.scalar(select(Cycle.created_at).where(Cycle.key == "neijiang-2019")).astimezone(BEIJING).date()
    return context, dt.datetime.combine(context.calendar.next_working_day(changed_on, inclusive=False), dt.time(9, 30), BEIJING)


def test_the_advance_reminds_a_coordinator_who_has_not_acknowledged(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from kaohe.services import system
    from kaohe.services.advance import AdvanceCycle, advance_cycle

    context, morning = _extended_with_suining_acknowledged(capsys)
    for key in ("suining-2019", "neijiang-2019"):
        advance_cycle(context, AdvanceCycle(system("flow:advance-cycle"), key, morning))
        advance_cycle(context, AdvanceCycle(system("flow:advance-cycle"), key, morning + dt.timedelta(hours=1)))
    with session_scope(get_settings().effective_database_url) as session:
        reminded = session.execute(select(Cycle.key, Unit.code).select_from(OutboxMessage).join(Cycle, OutboxMessage.cycle_id == Cycle.id)
                                   .join(Unit, OutboxMessage.unit_id == Unit.id).where(OutboxMessage.kind == "change_ack_reminder")).all()
    assert [tuple(r) for r in reminded] == [("neijiang-2019", "NJ-OFFICE")]  # once, and only where nobody acknowledged


def test_the_reminder_service_reminds_who_has_not_acknowledged_once_a_day_audited(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from kaohe.errors import PermissionDeniedError
    from kaohe.models import AuditEntry
    from kaohe.services import Actor, Role, system
    from kaohe.services.cascade import RemindUnacknowledged, remind_unacknowledged_changes

    context, morning = _extended_with_suining_acknowledged(capsys)
    with pytest.raises(PermissionDeniedError):
        remind_unacknowledged_changes(context, RemindUnacknowledged(Actor("nj-x01", Role.UNIT, unit="NJ-X01"), "neijiang-2019", morning))
    flow = system("flow:advance-cycle")
    assert remind_unacknowledged_changes(context, RemindUnacknowledged(flow, "suining-2019", morning)) == 0  # acknowledged
    assert remind_unacknowledged_changes(context, RemindUnacknowledged(flow, "neijiang-2019", morning)) == 1
    assert remind_unacknowledged_changes(context, RemindUnacknowledged(flow, "neijiang-2019", morning + dt.timedelta(hours=1))) == 0
    with session_scope(get_settings().effective_database_url) as session:
        entries = session.execute(select(Cycle.key, AuditEntry.actor, AuditEntry.detail).join(Cycle, AuditEntry.cycle_id == Cycle.id)
                                  .where(AuditEntry.action == "dates.ack_reminded")).all()
        reminded = session.scalars(select(Unit.code).join(OutboxMessage, OutboxMessage.unit_id == Unit.id)
                                   .where(OutboxMessage.kind == "change_ack_reminder")).all()
    assert [tuple(e) for e in entries] == [("neijiang-2019", "flow:advance-cycle", {"messages": 1})]
    assert reminded == ["NJ-OFFICE"]
