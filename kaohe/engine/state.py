"""Plain snapshots of a cycle that the pure engine reasons about (no ORM objects cross this line)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from kaohe.schemes.model import ReminderPlan

UNIT_KINDS = frozenset({"stage_opened", "upcoming", "due_today", "overdue"})


@dataclass(frozen=True)
class StageState:
    """A stage as stored, with the reminder plan its scheme gives it (None: no reminders)."""

    key: str
    kind: str
    actor: str | None
    opens_at: dt.datetime | None
    due_at: dt.datetime
    status: str
    reminders: ReminderPlan | None


class ObligationState(NamedTuple):
    """One unit's obligation in one stage (a named tuple: a 100,000-unit cycle loads 200,000 of them)."""

    id: int
    stage_key: str
    unit_code: str
    due_at: dt.datetime
    status: str


@dataclass(frozen=True)
class Delivery:
    """A reminder to enqueue: ``recipient`` receives it about ``unit`` (the same unit, or for an
    escalation the overdue unit whose supervisor is ``recipient``)."""

    stage_key: str
    unit_code: str
    recipient_code: str
    kind: str
    wave: str
    at: dt.datetime
    due_at: dt.datetime

    @property
    def key(self) -> str:
        """The outbox identity (without cycle and channel): stage:unit:kind:wave[:recipient]."""
        base = f"{self.stage_key}:{self.unit_code}:{self.kind}:{self.wave}"
        return base if self.recipient_code == self.unit_code else f"{base}:{self.recipient_code}"


@dataclass(frozen=True)
class Decisions:
    """Everything one advance must record."""

    open_stages: tuple[str, ...]
    close_stages: tuple[str, ...]
    mark_overdue: tuple[int, ...]
    deliveries: tuple[Delivery, ...]
    skipped_waves: int

    @property
    def empty(self) -> bool:
        """Whether there is nothing to do."""
        return not (self.open_stages or self.close_stages or self.mark_overdue or self.deliveries)
