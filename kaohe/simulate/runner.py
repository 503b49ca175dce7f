"""The simulation: a fresh database, local receivers, simulated units, and the advance flow at
every instant the calendar names, all through the same code as production."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from kaohe.clock import BEIJING
from kaohe.db import ensure_schema, get_engine, session_scope
from kaohe.engine.advance import wave_instants
from kaohe.models import AuditEntry, OutboxMessage, Unit
from kaohe.planning import Plan
from kaohe.roster import RosterEntry
from kaohe.schemes.model import Scheme
from kaohe.settings import get_settings
from kaohe.simulate.behaviour import plan_completions
from kaohe.store.advance import obligation_states, stage_states
from kaohe.store.cycles import create_cycle, get_cycle
from kaohe.store.obligations import complete
from kaohe.workdays import WorkdayCalendar

EVALUATOR_TOKEN = "simulation-token"


@dataclass
class SimulationResult:
    """What happened, as the JSON of ``kaohe simulate``."""

    cycle: str
    database: str
    events: list[dict[str, Any]] = field(default_factory=list)
    completions: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    received: dict[str, int] = field(default_factory=dict)
    advances: int = 0

    def to_json(self) -> dict[str, Any]:
        """The simulation report."""
        return {"cycle": self.cycle, "database": self.database, "advances": self.advances, "received": self.received,
                "events": self.events, "completions": self.completions, "deliveries": self.deliveries}


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables (and re-read settings) for the block, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
        get_settings.cache_clear()


def run_simulation(scheme: Scheme, plan: Plan, roster: list[RosterEntry], calendar: WorkdayCalendar, *,
                   seed: str = "kaohe", workdir: Path | None = None, progress: Any = None) -> SimulationResult:
    """Run the cycle of ``plan`` from its first instant to its last on a simulated clock."""
    from kaohe.evaluator.reference_server import ReferenceServer
    from kaohe.notifications.receivers import LocalSmtpReceiver, LocalWebhookReceiver

    workdir = workdir or Path(tempfile.mkdtemp(prefix="kaohe-sim-"))
    url = f"sqlite:///{workdir / 'simulation.db'}"
    with ExitStack() as stack:
        smtp = stack.enter_context(LocalSmtpReceiver())
        hooks = stack.enter_context(LocalWebhookReceiver())
        evaluator = stack.enter_context(ReferenceServer(token=EVALUATOR_TOKEN))
        env = {"KAOHE_DATABASE_URL": url, "KAOHE_SMTP_HOST": smtp.host, "KAOHE_SMTP_PORT": str(smtp.port),
               "KAOHE_EVALUATOR_URL": evaluator.url, "KAOHE_EVALUATOR_TOKEN": EVALUATOR_TOKEN,
               "KAOHE_HOME": str(workdir)}
        env.update({f"KAOHE_{k.upper()}": v for k, v in hooks.settings_overrides().items()})
        stack.enter_context(environment(env))
        roster = [_local_webhook(entry, hooks.url) for entry in roster]
        ensure_schema(url)
        key = f"{scheme.id}-{plan.year}-sim"
        with session_scope(url) as session:
            cycle = create_cycle(session, key=key, scheme=scheme, plan=plan, roster=roster, actor="simulation",
                                 now=_first_instant(plan), office_hours=get_settings().office_hours)
            stages, obligations = stage_states(cycle), obligation_states(session, cycle)
        office_hours = get_settings().office_hours
        instants = wave_instants(stages, obligations, calendar, office_hours)
        completions = plan_completions(obligations, {s.key: s.opens_at for s in stages}, calendar, seed=seed)
        aggregation = _simulated_scores(scheme, roster, stages, seed, workdir)
        result = SimulationResult(cycle=key, database=url)
        asyncio.run(_drive(key, url, instants, completions, aggregation, calendar, office_hours, result, progress))
        result.received = {"email": len(smtp.mails), "http": hooks.count}
        _collect(url, key, result)
    get_engine(url).dispose()
    return result


def _simulated_scores(scheme: Scheme, roster: list[RosterEntry], stages: list[Any], seed: str,
                      workdir: Path) -> tuple[dt.datetime, Path] | None:
    """The coordinator's score sheet for the aggregation stage, synthesised from the seed (None: no formula)."""
    from kaohe.results.simulated import simulated_sheet

    due = next((s.due_at for s in stages if s.kind == "aggregation"), None)
    data = simulated_sheet(scheme.scoring, scheme.id, roster, seed)
    if due is None or data is None:
        return None
    sheet = workdir / "simulated-scores.csv"
    sheet.write_bytes(data)
    return due, sheet


async def _drive(key: str, url: str, instants: list[dt.datetime], completions: list[Any],
                 aggregation: tuple[dt.datetime, Path] | None, calendar: WorkdayCalendar, office_hours: str,
                 result: SimulationResult, progress: Any) -> None:
    from kaohe.flows.advance_cycle import advance_cycle
    from kaohe.flows.aggregation_stage import aggregate_cycle

    pending = list(completions)
    queue = list(instants)
    while queue:
        instant = queue.pop(0)
        due_now = [c for c in pending if c.at <= instant]
        pending = pending[len(due_now):]
        if due_now:
            with session_scope(url) as session:
                cycle = get_cycle(session, key)
                for completion in due_now:
                    complete(session, cycle, completion.unit, completion.stage, at=completion.at, actor=f"unit:{completion.unit}")
                    result.completions.append({"unit": completion.unit, "stage": completion.stage,
                                               "at": completion.at.astimezone(BEIJING).isoformat()})
        if aggregation is not None and instant > aggregation[0]:
            await aggregate_cycle(key, as_of=instant, input=str(aggregation[1]), by="simulation")
            aggregation = None
            with session_scope(url) as session:
                cycle = get_cycle(session, key)
                later = wave_instants(stage_states(cycle), obligation_states(session, cycle), calendar, office_hours)
            queue = sorted(set(queue) | {i for i in later if i > instant})
        await advance_cycle(key, as_of=instant)
        result.advances += 1
        if progress:
            progress(instant, result.advances, result.advances + len(queue))


def _collect(url: str, key: str, result: SimulationResult) -> None:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        for entry in session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle.id,
                                                              AuditEntry.action.like("stage.%")).order_by(AuditEntry.at, AuditEntry.id)):
            result.events.append({"at": entry.at.astimezone(BEIJING).isoformat(), "stage": entry.subject,
                                  "event": entry.action.removeprefix("stage.")})
        codes = dict(session.execute(select(Unit.id, Unit.code).where(Unit.cycle_id == cycle.id)).all())
        for message in session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id)
                                       .order_by(OutboxMessage.send_after, OutboxMessage.id)):
            result.deliveries.append({
                "at": (message.sent_at or message.send_after).astimezone(BEIJING).isoformat(), "channel": message.channel,
                "unit": codes.get(message.unit_id), "stage": message.stage_key, "kind": message.kind, "status": message.status,
            })


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
