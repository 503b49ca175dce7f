"""``kaohe order close`` behind the command: the evidence file and the closing in one go."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from kaohe.db import session_scope
from kaohe.errors import StateError
from kaohe.evidence.files import order_dir
from kaohe.evidence.lateness import describe_lateness, late_by_seconds
from kaohe.evidence.orders import order_no
from kaohe.stagework.files import check_input, remove_dir, write_files
from kaohe.store.cycles import get_cycle
from kaohe.store.orders import close_order, get_order


def close_with_evidence(url: str, home: Path, cycle_key: str, number: int, *, evidence: Path, by: str,
                        now: dt.datetime) -> dict[str, Any]:
    """Store the evidence under ``home/orders/`` and close the order; nothing is kept if either fails."""
    data = check_input(evidence, "佐证材料")
    created: Path | None = None
    try:
        with session_scope(url) as session:
            cycle = get_cycle(session, cycle_key)
            if get_order(session, cycle, number).status == "closed":
                raise StateError(f"督办单{order_no(cycle.year, number)}已办结")
            created, [stored] = write_files(home, order_dir(cycle.key, number), [("evidence", evidence.name, data)])
            order = close_order(session, cycle, number, file_name=stored.file_name, sha256=stored.sha256, size=stored.size,
                                stored_path=stored.stored_path, by=by, now=now)
            late = late_by_seconds(now, order.due_at)
            result = {"cycle": cycle.key, "order": number, "order_no": order_no(cycle.year, number), "status": order.status,
                      "closed_at": now.isoformat(), "closed_by": by, "late_by_seconds": late, "lateness": describe_lateness(late),
                      "evidence": stored.to_json()}
    except BaseException:
        if created is not None:
            remove_dir(created)
        raise
    return result
