"""The outbox's upkeep around a dispatch: queue the fallbacks of failed messages, seal the delivery record (催办记录).

The flows' own bookkeeping, as the dispatcher's sends are: no user acts, so there is no actor or audit entry; each
call is one transaction (the ledger rows carry when they were sealed)."""

from __future__ import annotations

import datetime as dt

from kaohe.models import Cycle
from kaohe.services.context import AppContext
from kaohe.store.fallback import enqueue_fallbacks
from kaohe.store.proof import seal


def queue_fallbacks(context: AppContext, cycle_id: int, now: dt.datetime) -> int:
    """Queue every message of the cycle that failed for good on the unit's next channel; how many were queued."""
    with context.session_scope() as session:
        return enqueue_fallbacks(session, cycle_id=cycle_id, now=now)


def seal_delivery_record(context: AppContext, cycle_id: int, now: dt.datetime) -> int:
    """Append what happened since the last seal to the cycle's delivery record; how many rows were added."""
    with context.session_scope() as session:
        return seal(session, session.get_one(Cycle, cycle_id), now=now)
