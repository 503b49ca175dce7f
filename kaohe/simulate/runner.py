"""The simulation: a fresh database, local receivers and evaluator, simulated participants acting
through the same functions as the CLI commands, and the advance flow at every instant the calendar
names, all through the same code as production."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kaohe.clock import SimulatedClock
from kaohe.db import get_engine, session_scope
from kaohe.engine.advance import wave_instants
from kaohe.models import OutboxMessage
from kaohe.planning import Plan
from kaohe.roster import RosterEntry
from kaohe.schemes.model import Scheme
from kaohe.services import build_context, local_operator, using
from kaohe.services.cycles import CreateCycle, create_cycle
from kaohe.settings import SecretStr, Settings
from kaohe.simulate.actors import Participants
from kaohe.simulate.acts import Act, IssueOrder, act_order, plan_cycle_acts
from kaohe.simulate.report import SimulationResult, collect
from kaohe.store.advance import obligation_states, stage_states
from kaohe.store.cycles import get_cycle
from kaohe.workdays import WorkdayCalendar

EVALUATOR_TOKEN = "simulation-token"


def simulation_settings(base: Settings | None, workdir: Path, outside: Mapping[str, object], *,
                        database: str = "simulation.db") -> Settings:
    """The simulation's own settings: ``base`` (default: the built-in ones) with its database, files and the
    local stand-ins of the outside world (``outside``: SMTP, robots, evaluator) in place. The environment is
    neither read nor changed."""
    return (base or Settings.builtin()).replaced(database_url=f"sqlite:///{workdir / database}", home=workdir, **outside)


def run_simulation(scheme: Scheme, plan: Plan, roster: list[RosterEntry], calendar: WorkdayCalendar, *,
                   seed: str = "kaohe", workdir: Path | None = None, progress: Any = None,
                   settings: Settings | None = None) -> SimulationResult:
    """Run the cycle of ``plan`` from its first instant to its last on a simulated clock, with its own context
    (``settings``, default: the built-in ones, pointed at a fresh database and local receivers)."""
    from kaohe.flows.temporary_server import temporary_server
    from kaohe.testing.evaluator_server import ReferenceServer
    from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver
    from kaohe.testing.simulated_scores import simulated_inputs

    workdir = workdir or Path(tempfile.mkdtemp(prefix="kaohe-sim-"))
    with ExitStack() as stack:
        prefect_ready = stack.enter_context(temporary_server())  # starts while the cycle below is set up
        smtp = stack.enter_context(LocalSmtpReceiver())
        hooks = stack.enter_context(LocalWebhookReceiver())
        evaluator = stack.enter_context(ReferenceServer(token=EVALUATOR_TOKEN))
        own = simulation_settings(settings, workdir, {**smtp.settings_overrides(), **hooks.settings_overrides(),
                                                      "evaluator_url": evaluator.url, "evaluator_token": SecretStr(EVALUATOR_TOKEN)})
        url = own.effective_database_url
        roster = [_local_webhook(entry, hooks.url) for entry in roster]
        clock = SimulatedClock(_first_instant(plan))
        context = build_context(own, clock=clock, calendar=calendar)
        stack.enter_context(using(context))
        key = f"{scheme.id}-{plan.year}-sim"
        office_hours = own.office_hours
        create_cycle(context, CreateCycle(local_operator("simulation"), scheme, plan.year, roster, key, plan=plan))
        with session_scope(url) as session:
            cycle = get_cycle(session, key)
            stages, obligations = stage_states(cycle), obligation_states(session, cycle)
        spec = scheme.scoring_spec
        truths = simulated_inputs(spec, roster, seed) if spec is not None else []
        sheet = _simulated_scores(scheme, roster, seed, workdir)
        deliverables = {s.id: s.submit for s in scheme.stages}
        acts = plan_cycle_acts(stages, obligations, deliverables, roster, calendar, office_hours, seed=seed, aggregate=sheet is not None)
        participants = Participants(context=context, clock=clock, cycle_key=key, year=plan.year, scheme=scheme, roster=roster,
                                    truths=truths, sheet=sheet, calendar=calendar, seed=seed)
        result = SimulationResult(cycle=key, database=url)
        instants = wave_instants(stages, obligations, calendar, office_hours)
        prefect_ready()
        asyncio.run(_drive(key, url, instants, acts, participants, calendar, office_hours, result, progress))
        result.received = {"email": len(smtp.mails), "http": hooks.count}
        collect(url, key, result)
    get_engine(url).dispose()
    return result


def _simulated_scores(scheme: Scheme, roster: list[RosterEntry], seed: str, workdir: Path) -> Path | None:
    """The coordinator's score sheet for the aggregation, synthesised from the seed (None: no formula)."""
    from kaohe.testing.simulated_scores import simulated_sheet

    data = simulated_sheet(scheme.scoring_spec, roster, seed)
    if data is None or not any(s.kind == "aggregation" for s in scheme.stages):
        return None
    sheet = workdir / "simulated-scores.csv"
    sheet.write_bytes(data)
    return sheet


async def _drive(key: str, url: str, instants: list[dt.datetime], acts: list[Act], participants: Participants,
                 calendar: WorkdayCalendar, office_hours: str, result: SimulationResult, progress: Any) -> None:
    """Advance at every instant; before each, the acts due by then, in order. Acts can add instants and acts."""
    from kaohe.flows.clients import kept_clients

    async with kept_clients():  # one Prefect client for all the runs below, not one per run
        await _advance_all(key, url, instants, acts, participants, calendar, office_hours, result, progress)


async def _advance_all(key: str, url: str, instants: list[dt.datetime], acts: list[Act], participants: Participants,
                       calendar: WorkdayCalendar, office_hours: str, result: SimulationResult, progress: Any) -> None:
    from kaohe.flows.advance_cycle import advance_cycle

    pending = sorted(acts, key=act_order)
    queue = sorted(set(instants) | _notice_times(pending))
    while queue or pending:
        instant = queue.pop(0) if queue else pending[0].at
        acted = False
        while pending and pending[0].at <= instant:
            record, follow = await participants.perform(pending.pop(0))
            result.actions.append(record)
            pending = sorted([*pending, *follow], key=act_order) if follow else pending
            acted = True
        if acted:
            queue = sorted(_instants_after(url, key, calendar, office_hours, instant) | _notice_times(pending))
        await advance_cycle(key, as_of=instant)
        result.advances += 1
        if progress:
            progress(instant, result.advances, result.advances + len(queue))


def _notice_times(acts: list[Act]) -> set[dt.datetime]:
    """Acts that notify someone at once are advanced to, so the notice goes out when it is given."""
    return {a.at for a in acts if isinstance(a, IssueOrder)}


def _instants_after(url: str, key: str, calendar: WorkdayCalendar, office_hours: str, after: dt.datetime) -> set[dt.datetime]:
    """The calendar's instants and the send times of waiting messages (an order's reminders), after ``after``."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        instants = set(wave_instants(stage_states(cycle), obligation_states(session, cycle), calendar, office_hours))
        instants |= set(session.scalars(select(OutboxMessage.send_after).where(
            OutboxMessage.cycle_id == cycle.id, OutboxMessage.status == "pending")))
    return {i for i in instants if i > after}


def _first_instant(plan: Plan) -> dt.datetime:
    firsts = [s.opens or s.due for s in plan.stages]
    first = min(firsts)
    return dt.datetime.fromtimestamp(first.timestamp(), dt.timezone.utc) - dt.timedelta(days=1)


def _local_webhook(entry: RosterEntry, base: str) -> RosterEntry:
    """Point a roster entry's generic webhook at the local receiver (robot keys need no change)."""
    if "webhook" not in entry.contacts:
        return entry
    from dataclasses import replace

    contacts = dict(entry.contacts)
    contacts["webhook"] = f"{base}/hooks/{entry.code}"
    return replace(entry, contacts=contacts)
