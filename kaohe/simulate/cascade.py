"""``kaohe simulate sichuan --cascade``: a province with two cities (Sichuan 第十二条) on a simulated clock.

The province cycle and two city cycles under it (the example city scheme, the sample rosters of Suining
and Neijiang with their counties) are created in a fresh database; then, through the same functions as
the CLI commands: the province extends self-report by three working days five working days before the
deadline; the change flows down; the outbox is sent to a local SMTP receiver; one city acknowledges at
once, the other only after the next working day's reminder; the cities publish their assessment of their
counties and the province aggregates, taking the cities' results with their provenance.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from kaohe.clock import BEIJING
from kaohe.db import get_engine, session_scope
from kaohe.models import Cycle, DateChange, OutboxMessage, Unit
from kaohe.planning import at_time, plan_cycle
from kaohe.roster import RosterEntry, read_roster
from kaohe.schemes.model import Scheme
from kaohe.settings import PROJECT_ROOT, Settings
from kaohe.workdays import WorkdayCalendar

if TYPE_CHECKING:
    from kaohe.services import AppContext

SAMPLES = PROJECT_ROOT / "samples"
CITY_SCHEME = SAMPLES / "sichuan-city-example.yaml"
CITIES = (("SC-C08", "suining", "sichuan-city-suining-roster.csv"), ("SC-C09", "neijiang", "sichuan-city-neijiang-roster.csv"))
EXTENSION_DAYS = 3


def run_cascade(lineage: tuple[Scheme, ...], province_roster: list[RosterEntry], year: int, calendar: WorkdayCalendar, *,
                seed: str = "kaohe", workdir: Path | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """Run the scenario of the module docstring with its own context; return what happened, as JSON-ready data."""
    from kaohe.services import build_context, using
    from kaohe.simulate.runner import simulation_settings
    from kaohe.testing.receivers import LocalSmtpReceiver

    city_scheme, province_scheme = lineage[0], lineage[1]
    workdir = workdir or Path(tempfile.mkdtemp(prefix="kaohe-cascade-"))
    with ExitStack() as stack:
        smtp = stack.enter_context(LocalSmtpReceiver())
        own = simulation_settings(settings, workdir, smtp.settings_overrides(), database="cascade.db")
        url = own.effective_database_url
        stack.enter_context(using(build_context(own, calendar=calendar)))
        report = _scenario(own, city_scheme, province_scheme, province_roster, year, calendar, seed)
        report["received"] = len(smtp.mails)
    get_engine(url).dispose()
    report["database"] = url
    return report


def _scenario(settings: Settings, city_scheme: Scheme, province_scheme: Scheme, province_roster: list[RosterEntry], year: int,
              calendar: WorkdayCalendar, seed: str) -> dict[str, Any]:
    from kaohe.cascade.levels import tree_view
    from kaohe.clock import SimulatedClock
    from kaohe.services import build_context, local_operator, system
    from kaohe.services.cascade import AcknowledgeDateChanges, RemindUnacknowledged, acknowledge_date_changes, remind_unacknowledged_changes
    from kaohe.services.cycles import CreateCycle, create_cycle
    from kaohe.services.deadlines import ExtendDeadline, extend_deadline
    from kaohe.store.cycles import get_cycle

    province_plan = plan_cycle(province_scheme, year, calendar)
    created = min(s.opens or s.due for s in province_plan.stages) - dt.timedelta(days=1)
    url = settings.effective_database_url
    clock = SimulatedClock(created)
    context = build_context(settings, clock=clock, calendar=calendar)
    simulation = local_operator("simulation")
    keys: dict[str, str] = {}
    rosters: dict[str, list[RosterEntry]] = {}
    province_key = create_cycle(context, CreateCycle(simulation, province_scheme, year, province_roster, f"{province_scheme.id}-{year}-sim",
                                                     plan=province_plan)).cycle
    for code, name, roster_file in CITIES:
        rosters[code] = read_roster(SAMPLES / roster_file)
        keys[code] = create_cycle(context, CreateCycle(simulation, city_scheme, year, rosters[code], f"{name}-{year}-sim",
                                                       parent=province_key, parent_unit=code, outside_validity=True)).cycle
    with session_scope(url) as session:
        before = tree_view(session, get_cycle(session, province_key))
    self_check = province_plan.stage("self_check").due.date()
    extended_at = at_time(calendar.add_working_days(self_check, -5), "10:00")
    new_due = calendar.add_working_days(self_check, EXTENSION_DAYS)
    events: list[dict[str, Any]] = []
    clock.advance_to(extended_at)
    extend_deadline(context, ExtendDeadline(local_operator("SC-OFFICE"), province_key, "self_check", new_due,
                                            f"省脱贫攻坚领导小组同意自查报告报送时限延长{EXTENSION_DAYS}个工作日"))
    events.append({"at": extended_at.isoformat(), "event": "extended", "cycle": province_key, "stage": "self_check",
                   "from": self_check.isoformat(), "to": new_due.isoformat()})
    _dispatch(url, [province_key, *keys.values()], extended_at)
    first, second = (keys[code] for code, _, _ in CITIES)
    offices = {key: next(u.code for u in rosters[code] if str(u.role) == "coordinator") for code, key in keys.items()}
    acked_at = extended_at + dt.timedelta(hours=2)
    clock.advance_to(acked_at)
    acknowledge_date_changes(context, AcknowledgeDateChanges(local_operator(offices[first]), first, note="已收悉，已通知各县"))
    events.append({"at": acked_at.isoformat(), "event": "acknowledged", "cycle": first, "by": offices[first]})
    next_morning = at_time(calendar.next_working_day(extended_at.date(), inclusive=False), "09:30")
    clock.advance_to(next_morning)
    reminders = sum(remind_unacknowledged_changes(context, RemindUnacknowledged(system("flow:advance-cycle"), key)) for key in keys.values())
    events.append({"at": next_morning.isoformat(), "event": "reminded", "messages": reminders})
    _dispatch(url, list(keys.values()), next_morning)
    late_ack = next_morning + dt.timedelta(hours=1)
    clock.advance_to(late_ack)
    acknowledge_date_changes(context, AcknowledgeDateChanges(local_operator(offices[second]), second))
    events.append({"at": late_ack.isoformat(), "event": "acknowledged", "cycle": second, "by": offices[second]})
    results = _results(context, city_scheme, province_scheme, province_key, keys, offices, rosters, province_roster, seed)
    with session_scope(url) as session:
        after = tree_view(session, get_cycle(session, province_key))
        told = session.execute(
            select(Cycle.key, OutboxMessage.kind, func.count(func.distinct(Unit.code))).join(Cycle, OutboxMessage.cycle_id == Cycle.id)
            .join(Unit, OutboxMessage.unit_id == Unit.id)
            .where(OutboxMessage.kind.in_(("deadline_changed", "dates_changed", "change_ack", "change_ack_reminder")))
            .group_by(Cycle.key, OutboxMessage.kind).order_by(Cycle.key, OutboxMessage.kind)).all()
        acks = [{"cycle": key, "by": c.acknowledged_by,
                 "at": c.acknowledged_at.astimezone(BEIJING).isoformat() if c.acknowledged_at else None,
                 "stages": c.stages} for key, c in session.execute(
                     select(Cycle.key, DateChange).join(Cycle, DateChange.cycle_id == Cycle.id).order_by(Cycle.key)).all()]
    return {"province": province_key, "cities": list(keys.values()), "events": events, "before": before, "after": after,
            "notices": [{"cycle": k, "kind": kind, "units": n} for k, kind, n in told], "acknowledgements": acks, **results}


def _results(context: AppContext, city_scheme: Scheme, province_scheme: Scheme, province_key: str, keys: dict[str, str],
             offices: dict[str, str], rosters: dict[str, list[RosterEntry]], province_roster: list[RosterEntry], seed: str
             ) -> dict[str, Any]:
    from kaohe.services import local_operator
    from kaohe.services.aggregation import Aggregate, aggregate
    from kaohe.store.cycles import get_cycle
    from kaohe.store.results import latest_version
    from kaohe.testing.simulated_scores import simulated_sheet

    url, home = context.database_url, Path(context.settings.home)

    published = []
    for code, key in keys.items():
        with session_scope(url) as session:
            stage = next(s for s in get_cycle(session, key).stages if s.kind == "aggregation")
            at = stage.due_at - dt.timedelta(hours=6)
        sheet = home / f"{key}-scores.csv"
        assessed = [u for u in rosters[code] if str(u.role) == "assessed"]
        sheet.write_bytes(simulated_sheet(city_scheme.scoring_spec, assessed, seed) or b"")
        outcome = aggregate(context, Aggregate(local_operator(offices[key]), key, sheet, at=at))
        published.append({"cycle": key, "version": outcome.version, "units": outcome.units, "at": at.astimezone(BEIJING).isoformat()})
    with session_scope(url) as session:
        stage = next(s for s in get_cycle(session, province_key).stages if s.kind == "aggregation")
        at = stage.due_at - dt.timedelta(hours=6)
    sheet = home / "province-scores.csv"
    assessed = [u for u in province_roster if str(u.role) == "assessed"]
    sheet.write_bytes(simulated_sheet(province_scheme.scoring_spec, assessed, seed) or b"")
    outcome = aggregate(context, Aggregate(local_operator("SC-OFFICE"), province_key, sheet, at=at))
    with session_scope(url) as session:
        version = latest_version(session, get_cycle(session, province_key))
        children = version.inputs.get("children", []) if version is not None else []
    return {"city_results": published, "province_result": {"version": outcome.version, "units": outcome.units,
                                                            "children": [{k: c[k] for k in ("cycle", "version", "published_by",
                                                                                            "published_at", "approvals")}
                                                                         | {"units": len(c["lines"])} for c in children]}}


def _dispatch(url: str, cycle_keys: list[str], at: dt.datetime) -> None:
    from kaohe.store.cycles import get_cycle
    from kaohe.tasks.dispatch import dispatch_outbox

    with session_scope(url) as session:
        ids = [get_cycle(session, key).id for key in cycle_keys]
    for cycle_id in ids:
        asyncio.run(dispatch_outbox.fn(cycle_id, at))
