"""What the simulated participants do and when: hand-ins, verifications, supervision orders, the
coordinator's aggregation and rectification reports. Pure and seeded: same seed, same year, same acts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kaohe.clock import BEIJING
from kaohe.engine.state import ObligationState, StageState
from kaohe.roster import RosterEntry
from kaohe.simulate.behaviour import Behaviour, fraction, plan_completions
from kaohe.simulate.documents import takes_self_scores
from kaohe.workdays import WorkdayCalendar

ACTED_ELSEWHERE = frozenset({"verification", "aggregation", "feedback", "rectification", "supervision_order"})
"""Stage kinds whose obligations are not completed by handing in a report (own acts, or the flows)."""

ORDER_ISSUES = ("挂包村扶贫项目台账不完整，请补齐台账并报送办理情况", "帮扶资金拨付滞后，请限期拨付到位并报送办理情况")
ORDER_WORKING_DAYS = 10
ORDER_CLOSED_AFTER = 7
AGGREGATION_HOUR = 10


@dataclass(frozen=True)
class HandIn:
    """A unit hands in its report for a stage (with its self-score table when ``scores``)."""

    at: dt.datetime
    unit: str
    stage: str
    scores: bool = False


@dataclass(frozen=True)
class Verify:
    """A township verifier records its verified scores of a unit and signs them off."""

    at: dt.datetime
    verifier: str
    unit: str


@dataclass(frozen=True)
class IssueOrder:
    """The coordinator issues a supervision order (``label`` names it within the simulation)."""

    at: dt.datetime
    label: str
    unit: str
    issue: str
    due: dt.date


@dataclass(frozen=True)
class CloseOrder:
    """The order ``label`` is closed with the unit's evidence."""

    at: dt.datetime
    label: str


@dataclass(frozen=True)
class CommitSeed:
    """The sampling office publishes the hash of its seed for a sampling stage before the stage opens."""

    at: dt.datetime
    stage: str


@dataclass(frozen=True)
class Aggregate:
    """The coordinator scores the cycle and publishes its results."""

    at: dt.datetime


@dataclass(frozen=True)
class Rectify:
    """A unit picked by the results hands in its rectification report."""

    at: dt.datetime
    unit: str


Act = HandIn | Verify | IssueOrder | CloseOrder | CommitSeed | Aggregate | Rectify
_RANK = {IssueOrder: 0, HandIn: 1, Verify: 2, CloseOrder: 3, CommitSeed: 4, Aggregate: 5, Rectify: 6}


def act_order(act: Act) -> tuple[dt.datetime, int, str]:
    """Sort key of acts: by time; at the same time orders first, then hand-ins, verifications, the rest."""
    return act.at, _RANK[type(act)], getattr(act, "label", "") + getattr(act, "unit", "") + getattr(act, "stage", "")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=BEIJING)


def _hhmm(text: str) -> tuple[int, int]:
    hour, minute = text.split(":")
    return int(hour), int(minute)


def plan_hand_ins(obligations: Iterable[ObligationState], stages: Sequence[StageState], deliverables: Mapping[str, Sequence[str]],
                  roles: Mapping[str, str], calendar: WorkdayCalendar, *, seed: str,
                  behaviour: Behaviour | None = None) -> list[HandIn]:
    """Every report handed in (on time, late, or never) for the obligations not completed some other way."""
    kinds = {s.key: s.kind for s in stages}
    owed = [o for o in obligations if kinds[o.stage_key] not in ACTED_ELSEWHERE]
    planned = plan_completions(owed, {s.key: s.opens_at for s in stages}, calendar, seed=seed, behaviour=behaviour or Behaviour())
    return [HandIn(c.at, c.unit, c.stage, scores=roles.get(c.unit) == "assessed"
                   and takes_self_scores(kinds[c.stage], deliverables.get(c.stage, ())))
            for c in planned]


def plan_verifications(hand_ins: Iterable[HandIn], verifiers: Mapping[str, str | None], townships: Mapping[str, str | None],
                       opens: dt.datetime | None, calendar: WorkdayCalendar, *, seed: str) -> list[Verify]:
    """Each verifier (code → township) verifies a unit of its township the working day after the unit's last score table."""
    last: dict[str, dt.datetime] = {}
    for hand_in in hand_ins:
        if hand_in.scores:
            last[hand_in.unit] = max(hand_in.at, last.get(hand_in.unit, hand_in.at))
    planned: list[Verify] = []
    for unit, handed in sorted(last.items()):
        township = townships.get(unit)
        verifier = next((v for v, t in sorted(verifiers.items()) if t is not None and t == township), None) \
            or next((v for v, t in sorted(verifiers.items()) if t is None), None)
        if verifier is None:
            continue
        day = calendar.next_working_day(handed.astimezone(BEIJING).date(), inclusive=False)
        at = _at(day, 9 + int(fraction(seed, "verify", unit) * 8), 15)
        planned.append(Verify(max(at, opens) if opens else at, verifier, unit))
    return planned


def plan_orders(assessed: Sequence[str], start: dt.date, calendar: WorkdayCalendar, office_hours: str, *,
                seed: str) -> list[IssueOrder | CloseOrder]:
    """Two supervision orders issued on the first working day of the cycle: one closed before its deadline, one left open."""
    chosen = sorted(assessed, key=lambda code: fraction(seed, "order", code))[:len(ORDER_ISSUES)]
    issued = calendar.next_working_day(start)
    at = _at(issued, *_hhmm(office_hours))
    due = calendar.add_working_days(issued, ORDER_WORKING_DAYS)
    plan: list[IssueOrder | CloseOrder] = []
    for number, (unit, issue) in enumerate(zip(chosen, ORDER_ISSUES, strict=False)):
        label = "closed" if number == 0 else "open"
        plan.append(IssueOrder(at, label, unit, issue, due))
    if chosen:
        plan.append(CloseOrder(_at(calendar.add_working_days(issued, ORDER_CLOSED_AFTER), 15), "closed"))
    return plan


def plan_seed_commitments(stages: Sequence[StageState], calendar: WorkdayCalendar) -> list[CommitSeed]:
    """Each sampling stage's seed hash is published the working day before the stage opens (its draw then uses that seed)."""
    commitments = []
    for stage in stages:
        if stage.kind != "sampling" or stage.opens_at is None:
            continue
        day = calendar.previous_working_day(stage.opens_at.astimezone(BEIJING).date(), inclusive=False)
        commitments.append(CommitSeed(_at(day, AGGREGATION_HOUR), stage.key))
    return commitments


def aggregation_time(stage: StageState, calendar: WorkdayCalendar) -> dt.datetime:
    """When the coordinator publishes the results: the morning of the last working day of the aggregation stage."""
    day = calendar.previous_working_day(stage.due_at.astimezone(BEIJING).date())
    at = _at(day, AGGREGATION_HOUR)
    if stage.opens_at is not None and at < stage.opens_at:
        return stage.opens_at
    return min(at, stage.due_at)


def plan_rectifications(units: Sequence[str], opens: dt.datetime | None, due: dt.datetime, calendar: WorkdayCalendar, *,
                        seed: str) -> list[Rectify]:
    """Every rectifying unit reports on time, except one (when there are several) that never does."""
    ordered = sorted(units, key=lambda code: fraction(seed, "rectify", code))
    reporting = ordered[:-1] if len(ordered) > 1 else ordered
    due_day = due.astimezone(BEIJING).date()
    start_day = opens.astimezone(BEIJING).date() if opens else due_day - dt.timedelta(days=10)
    planned = []
    for unit in reporting:
        span = max((due_day - start_day).days, 0)
        day = min(calendar.next_working_day(start_day + dt.timedelta(days=int(fraction(seed, "rectify-day", unit) * span))), due_day)
        at = _at(day, 10 + int(fraction(seed, "rectify-hour", unit) * 7), 30)
        planned.append(Rectify(max(at, opens) if opens else at, unit))
    return sorted(planned, key=act_order)


def plan_cycle_acts(stages: Sequence[StageState], obligations: Sequence[ObligationState], deliverables: Mapping[str, Sequence[str]],
                    roster: Sequence[RosterEntry], calendar: WorkdayCalendar, office_hours: str, *, seed: str,
                    aggregate: bool) -> list[Act]:
    """Everything the participants will do in the cycle, known at its start (rectification follows the results)."""
    roles = {e.code: str(e.role) for e in roster}
    hand_ins = plan_hand_ins(obligations, stages, deliverables, roles, calendar, seed=seed)
    acts: list[Act] = [*hand_ins]
    kinds = {s.key: s.kind for s in stages}
    verification = next((s for s in stages if s.kind == "verification"), None)
    if verification is not None:
        townships = {e.code: e.township for e in roster}
        verifiers = {o.unit_code: townships.get(o.unit_code) for o in obligations if kinds[o.stage_key] == "verification"
                     and roles.get(o.unit_code) == "verifier"}
        acts += plan_verifications(hand_ins, verifiers, townships, verification.opens_at, calendar, seed=seed)
    openings = [s.opens_at for s in stages if s.opens_at] or [min(s.due_at for s in stages) - dt.timedelta(days=20)]
    assessed = [e.code for e in roster if roles[e.code] == "assessed"]
    acts += plan_orders(assessed, min(openings).astimezone(BEIJING).date(), calendar, office_hours, seed=seed)
    acts += plan_seed_commitments(stages, calendar)
    summary = next((s for s in stages if s.kind == "aggregation"), None)
    if aggregate and summary is not None:
        acts.append(Aggregate(aggregation_time(summary, calendar)))
    return sorted(acts, key=act_order)
