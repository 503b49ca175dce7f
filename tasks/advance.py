"""Thin task around advancing a cycle: the service does the work under the cycle's lock."""

from __future__ import annotations

import datetime as dt

from prefect import task

from kaohe.services import current_context, system
from kaohe.services.advance import AdvanceCycle, advance_cycle
from kaohe.services.task_queries import dispatch_due, unsent_reviews


@task(name="record-advance")
def record_advance(cycle_key: str, as_of: dt.datetime) -> dict[str, object]:
    """Open and close stages, mark overdue obligations and enqueue the reminders due at ``as_of``.

    Also says, as things stand once the advance is recorded, which third-party stages still have to send
    their sample (``unsent_reviews``) and whether sending the outbox would find anything to send, recover or
    seal (``dispatch_due``): an advance that starts no stage work then runs no task that would find nothing.
    """
    context = current_context()
    result = advance_cycle(context, AdvanceCycle(system("flow:advance-cycle"), cycle_key, as_of))
    return {**result.to_json(), "unsent_reviews": unsent_reviews(context, cycle_key),
            "dispatch_due": dispatch_due(context, result.cycle_id, as_of)}
