"""A unit's calendar subscription (ICS): rotating the secret address retires the old one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.calendar_feeds import rotate_feed


@dataclass(frozen=True)
class RotateCalendarToken:
    """Give ``unit``'s calendar subscription a new secret address (the old one stops working at once)."""

    actor: Actor
    unit: str
    origin: Mapping[str, str] = field(default_factory=dict)


def rotate_calendar_token(context: AppContext, command: RotateCalendarToken) -> int:
    """Rotate the address; returns its new generation (the web derives the token from it and the site secret)."""
    authorize(command.actor, Action.ROTATE_CALENDAR_TOKEN, Scope(unit=command.unit))
    with context.unit_of_work(command.actor) as uow:
        return rotate_feed(uow.session, command.unit, by=command.actor.account, now=uow.now, detail=dict(command.origin))
