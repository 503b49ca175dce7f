"""Two advances of the same cycle to the same instant: each transition is applied once, no raw DB error."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select, text

from kaohe.db import get_engine, session_scope
from kaohe.errors import BusyError, KaoheError
from kaohe.models import AuditEntry, Cycle
from kaohe.services import AppContext, build_context, system
from kaohe.services.advance import AdvanceCycle, Advanced, advance_cycle
from kaohe.settings import Settings

ACTOR = system("flow:advance-cycle")
AFTER_ALL = dt.datetime(2019, 6, 1, tzinfo=dt.timezone.utc)


def _transitions(url: str, key: str) -> Counter[tuple[str, str]]:
    with session_scope(url) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == key))
        rows = session.execute(select(AuditEntry.action, AuditEntry.subject).where(
            AuditEntry.cycle_id == cycle_id, AuditEntry.action.in_(("stage.opened", "stage.closed")))).all()
    return Counter((action, subject) for action, subject in rows)


@pytest.mark.parametrize("instant", [dt.datetime(2019, 1, 10, 2, tzinfo=dt.timezone.utc), AFTER_ALL])
def test_two_concurrent_advances_apply_each_transition_once(context: AppContext, make_cycle: Callable[[], str],
                                                            instant: dt.datetime) -> None:
    key = make_cycle()
    results: list[Advanced] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def advance() -> None:
        start.wait()
        try:
            results.append(advance_cycle(context, AdvanceCycle(ACTOR, key, instant)))
        except BaseException as error:  # noqa: BLE001 - the test reports whatever escaped
            errors.append(error)

    threads = [threading.Thread(target=advance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    transitions = _transitions(context.database_url, key)
    assert transitions, "the advance opened or closed at least one stage"
    assert set(transitions.values()) == {1}, transitions
    first, second = sorted(results, key=lambda r: -len(r.opened_stages) - len(r.closed_stages))
    assert first.opened_stages or first.closed_stages
    assert second.opened_stages == () and second.closed_stages == () and second.queued == 0


def test_an_advance_that_waits_too_long_is_a_clear_error(database_url: str, tmp_path: Path,
                                                        make_cycle: Callable[[], str]) -> None:
    key = make_cycle()
    impatient = build_context(Settings(database_url=database_url, home=tmp_path, lock_timeout_seconds=0.3))
    with get_engine(database_url).connect() as holder:
        if holder.dialect.name == "sqlite":
            holder.exec_driver_sql("UPDATE cycles SET status = status WHERE key = ?", (key,))
        else:
            holder.execute(text("SELECT id FROM cycles WHERE key = :key FOR UPDATE"), {"key": key})
        with pytest.raises(BusyError) as caught:
            advance_cycle(impatient, AdvanceCycle(ACTOR, key, AFTER_ALL))
        holder.rollback()
    assert isinstance(caught.value, KaoheError)
    assert "另一个进程正在处理同一周期" in str(caught.value)
    assert _transitions(database_url, key) == Counter()
    assert advance_cycle(impatient, AdvanceCycle(ACTOR, key, AFTER_ALL)).closed_stages
