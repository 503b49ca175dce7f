"""The messages of a change that flowed down: one per unit whose deadlines moved, the acknowledgement request
to the child's coordinators, and the reminder until they acknowledge. Keys make each go out once."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kaohe.models import Cycle, Unit
from kaohe.store.advance import MESSAGE_CHANNELS, scheme_of
from kaohe.store.outbox import Outgoing

COORDINATOR_ROLE = "coordinator"


@dataclass(frozen=True)
class UnitMove:
    """One deadline of one unit that moved."""

    stage_key: str
    stage_name: str
    old_due: dt.datetime
    new_due: dt.datetime
    provisional: bool

    def to_context(self, owed: bool = True) -> dict[str, Any]:
        """As the templates' ``changes`` entry."""
        return {"stage": self.stage_name, "old_due": self.old_due, "new_due": self.new_due,
                "provisional": self.provisional, "owed": owed}


def fingerprint(moves: Sequence[UnitMove]) -> str:
    """A short digest of what moved: the same change gives the same outbox key, so it is sent once."""
    data = sorted((m.stage_key, m.old_due.isoformat(), m.new_due.isoformat()) for m in moves)
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def messages_for(cycle: Cycle, recipient: Unit, kind: str, wave: str, context: dict[str, Any], send_at: dt.datetime) -> list[Outgoing]:
    """``kind`` rendered for ``recipient``, one message per channel it has."""
    from kaohe.notifications.render import render

    scheme = scheme_of(cycle)
    subject, body = render(kind, {"unit": recipient.name, "scheme": scheme.name, "cycle": cycle.year,
                                  "office": scheme.roles.get("coordinator"), "cycle_key": cycle.key, **context})
    return [
        Outgoing(key=f"{cycle.key}:cascade:{wave}:{recipient.code}:{channel}", cycle_id=cycle.id, stage_key=None,
                 unit_id=recipient.id, kind=kind, wave=wave, channel=channel, recipient=recipient.contacts[channel],
                 subject=subject, body=body, send_after=send_at, about_unit_id=recipient.id)
        for channel in MESSAGE_CHANNELS if recipient.contacts.get(channel)
    ]
