"""Supervision orders (督办单): issued to a unit, closed with evidence, scored with immediate feedback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.datechecks import deadline_problem
from kaohe.errors import InputError, NotFoundError, Problem, StateError
from kaohe.evidence.files import order_dir
from kaohe.evidence.lateness import describe_lateness, late_by_seconds
from kaohe.evidence.orders import order_no
from kaohe.models import Cycle, SupervisionOrder
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.files import remove_dir
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.services.scoping import unit_scope
from kaohe.services.uploads import Upload
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.orders import acknowledge_order, close_order, get_order, issue_order, reply_order, score_order


@dataclass(frozen=True)
class IssueOrder:
    """Issue an order to ``unit`` about ``issue``, due by the end of ``due`` (Beijing time)."""

    actor: Actor
    cycle: str
    unit: str
    issue: str
    due: dt.date


@dataclass(frozen=True)
class CloseOrder:
    """Close order ``number`` with its evidence file."""

    actor: Actor
    cycle: str
    number: int
    evidence: Upload


@dataclass(frozen=True)
class ScoreOrder:
    """Score order ``number`` item by item; the unit is told at once."""

    actor: Actor
    cycle: str
    number: int
    scores: Mapping[str, Decimal]
    note: str | None = None


@dataclass(frozen=True)
class AcknowledgeOrder:
    """``unit`` signs for (签收) its order ``number``; ``origin`` (address, browser) goes into the audit record."""

    actor: Actor
    cycle: str
    unit: str
    number: int
    origin: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReplyOrder:
    """``unit`` replies (回复) to its order ``number`` with ``text`` (signing for it if it had not)."""

    actor: Actor
    cycle: str
    unit: str
    number: int
    text: str
    origin: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderResult:
    """What an order action recorded, as the CLI prints it with ``--json``."""

    cycle: str
    number: int
    order_no: str
    payload: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """As JSON."""
        return {"cycle": self.cycle, "order": self.number, "order_no": self.order_no, **self.payload}


def issue(context: AppContext, command: IssueOrder) -> OrderResult:
    """Issue the order: the unit is told at once, reminded and escalated like a stage."""
    today = context.clock.now().astimezone(BEIJING).date()
    if (problem := deadline_problem(command.due, today=today, opens=None, calendar=None, what="办结时限")) is not None:
        raise InputError(Problem(problem, field="--due"))
    authorize(command.actor, Action.ISSUE_ORDER, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        made, queued = issue_order(uow.session, cycle, command.unit, command.issue, command.due, by=command.actor.account,
                                   now=uow.now, calendar=context.calendar)
        return OrderResult(cycle.key, made.number, order_no(cycle.year, made.number), {
            "unit": command.unit, "issue": made.issue, "due": made.due_at.astimezone(BEIJING).isoformat(), "status": made.status,
            "messages": queued})


def close(context: AppContext, command: CloseOrder) -> OrderResult:
    """Store the evidence and close the order, all or nothing (a unit closes only its own orders)."""
    data = command.evidence.content("佐证材料")
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        order = get_order(uow.session, cycle, command.number)
        unit = next(u for u in cycle.units if u.id == order.unit_id)
        authorize(command.actor, Action.CLOSE_ORDER, unit_scope(cycle, unit))
        if order.status == "closed":
            raise StateError(f"督办单{order_no(cycle.year, command.number)}已办结")
        created, [stored] = context.files.write(order_dir(cycle.key, command.number), [("evidence", command.evidence.name, data)])
        uow.on_failure(lambda: remove_dir(created))
        closed = close_order(uow.session, cycle, command.number, file_name=stored.file_name, sha256=stored.sha256, size=stored.size,
                             stored_path=stored.stored_path, by=command.actor.account, now=uow.now)
        late = late_by_seconds(uow.now, closed.due_at)
        return OrderResult(cycle.key, command.number, order_no(cycle.year, command.number), {
            "status": closed.status, "closed_at": uow.now.isoformat(), "closed_by": command.actor.account, "late_by_seconds": late,
            "lateness": describe_lateness(late), "evidence": stored.to_json()})


def acknowledge(context: AppContext, command: AcknowledgeOrder) -> OrderResult:
    """Record that the unit signed for its order (once; signing again changes nothing)."""
    with context.unit_of_work(command.actor) as uow:
        cycle, order = _units_order(uow.session, command.actor, Action.ACKNOWLEDGE_ORDER, command.cycle, command.unit, command.number)
        recorded = acknowledge_order(uow.session, cycle, order, by=command.actor.account, now=uow.now, detail=command.origin)
        assert order.acknowledged_at is not None
        return OrderResult(cycle.key, order.number, order_no(cycle.year, order.number), {
            "acknowledged_at": order.acknowledged_at.isoformat(), "acknowledged_by": order.acknowledged_by, "recorded": recorded})


def reply(context: AppContext, command: ReplyOrder) -> OrderResult:
    """Keep the unit's reply with its order (an open or closed one)."""
    with context.unit_of_work(command.actor) as uow:
        cycle, order = _units_order(uow.session, command.actor, Action.REPLY_ORDER, command.cycle, command.unit, command.number)
        entry = reply_order(uow.session, cycle, order, command.text, by=command.actor.account, now=uow.now, detail=command.origin)
        return OrderResult(cycle.key, order.number, order_no(cycle.year, order.number), {"reply": entry, "replies": len(order.replies)})


def _units_order(session: Session, actor: Actor, action: Action, cycle_key: str, unit_code: str, number: int) -> tuple[Cycle, SupervisionOrder]:
    """The cycle and ``unit_code``'s order ``number``, once ``actor`` may act for that unit; NotFoundError when the unit has no such
    order (whether it exists for another unit is not told)."""
    cycle = get_cycle(session, cycle_key)
    unit = get_unit(session, cycle, unit_code)
    authorize(actor, action, unit_scope(cycle, unit))
    order = session.scalar(select(SupervisionOrder).where(SupervisionOrder.cycle_id == cycle.id, SupervisionOrder.number == number,
                                                          SupervisionOrder.unit_id == unit.id))
    if order is None:
        raise NotFoundError(f"单位 {unit_code} 在周期 {cycle.key} 没有第 {number} 号督办单")
    return cycle, order


def score(context: AppContext, command: ScoreOrder) -> OrderResult:
    """Record the scores and queue the unit's immediate feedback."""
    authorize(command.actor, Action.SCORE_ORDER, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        scored, queued = score_order(uow.session, cycle, command.number, command.scores, note=command.note,
                                     by=command.actor.account, now=uow.now)
        return OrderResult(cycle.key, command.number, order_no(cycle.year, command.number), {**scored.scores[-1], "messages": queued})

