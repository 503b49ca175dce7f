"""A unit acknowledging a reminder (or opening its task link): the receipt enters the delivery record (催办记录)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, authorize
from kaohe.services.scoping import unit_scope
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.proof import record_link_event
from kaohe.store.submissions import get_stage


@dataclass(frozen=True)
class AcknowledgeMessage:
    """``unit`` acknowledged the messages of ``stage`` (None: of the cycle) — or, with ``event="opened"``, opened its
    task link; ``detail`` is where it came from (e.g. the web request's address), ``at`` when (default: now)."""

    actor: Actor
    cycle: str
    unit: str
    stage: str | None = None
    event: Literal["acknowledged", "opened"] = "acknowledged"
    detail: Mapping[str, str] = field(default_factory=dict)
    at: dt.datetime | None = None


@dataclass(frozen=True)
class MessageAcknowledged:
    """The receipt as recorded (it is sealed into the ledger at the next seal)."""

    cycle: str
    unit: str
    stage: str | None
    event: str
    at: dt.datetime
    by: str
    event_id: int


def acknowledge_message(context: AppContext, command: AcknowledgeMessage) -> MessageAcknowledged:
    """Record the receipt and its audit entry (a unit account only for its own unit)."""
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        unit = get_unit(uow.session, cycle, command.unit)
        authorize(command.actor, Action.ACKNOWLEDGE_MESSAGE, unit_scope(cycle, unit))
        if command.stage is not None:
            get_stage(uow.session, cycle, command.stage)
        at = command.at or uow.now
        row = record_link_event(uow.session, cycle, unit.code, command.event, at=at, actor=command.actor.account,
                                stage=command.stage, detail=command.detail)
        uow.audit(f"message.{command.event}", cycle_id=cycle.id, subject=unit.code, at=at,
                  detail={"stage": command.stage, "event_id": row.id, **command.detail})
        return MessageAcknowledged(cycle.key, unit.code, command.stage, command.event, at, command.actor.account, row.id)
