"""Which flow a stage's opening or closing starts, by stage kind.

- ``sampling`` opens → ``sampling-stage`` draws its sample;
- ``third_party_review`` opens → ``third-party-stage`` sends the drawn sample; a third-party stage that
  is open but could not send yet (no sample drawn when it opened, or the evaluator was unreachable) is
  sent as soon as a later call finds a sample — call this on every advance, it costs one query when
  there is nothing to do (the advance's own task answers it when no stage opened or closed);
- ``third_party_review`` closes → ``third-party-stage`` collects the results (sending first if needed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kaohe.flows.sampling_stage import sampling_stage
from kaohe.flows.third_party_stage import third_party_stage
from kaohe.tasks.stage_work import stage_kinds, unsent_reviews


async def start_stage_work(cycle_key: str, opened: list[str], closed: list[str], as_of: dt.datetime,
                           unsent: Sequence[str] | None = None) -> list[str]:
    """Run the stage flows for the stages that just ``opened`` and ``closed``; return ``flow:stage`` of each run.

    The stage kinds are read only when a stage opened or closed: a quiet advance runs no task for them.
    ``unsent`` is what the advance found unsent (its ``unsent_reviews``): when no stage opened or closed,
    no stage flow ran in between that could change it, and the ``unsent-reviews`` task is not run again."""
    quiet = not opened and not closed
    kinds = stage_kinds(cycle_key) if not quiet else {}
    started: list[str] = []
    for key in opened:
        if kinds.get(key) == "sampling":
            await sampling_stage(cycle_key, key, as_of)
            started.append(f"sampling-stage:{key}")
    collecting = [key for key in closed if kinds.get(key) == "third_party_review"]
    for key in (unsent if quiet and unsent is not None else unsent_reviews(cycle_key)):
        if key not in collecting:
            await third_party_stage(cycle_key, key, as_of)
            started.append(f"third-party-stage:{key}")
    for key in collecting:
        await third_party_stage(cycle_key, key, as_of, collect=True)
        started.append(f"third-party-stage:{key}")
    return started
