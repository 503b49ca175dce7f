"""The overdue page reads only the rows it shows: its first rows, the total, the filter choices and each
listed unit's newest reminder are those of the full list, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select, update
from web_support import bj, make_portal

from kaohe.db import session_scope
from kaohe.models import Cycle, OutboxMessage, Unit
from kaohe.store.outbox import Outgoing, enqueue
from kaohe.web.queries import FILTER_ATTRIBUTES, OverdueFilter, filter_choices, overdue_list, overdue_page
from kaohe.workdays import load_calendar


def _remind(session: object, cycle_id: int, units: dict[str, int], now: dt.datetime) -> None:
    """Reminders of both overdue stages, several per unit and stage (the newest differs in channel and status)."""
    messages = []
    for n, (code, unit_id) in enumerate(sorted(units.items())):
        for stage in ("self_check", "submission"):
            for step, (kind, channel) in enumerate((("stage_opened", "email"), ("upcoming", "webhook"), ("overdue", "sms"))[:1 + n % 3]):
                messages.append(Outgoing(
                    key=f"t:{stage}:{code}:{kind}", cycle_id=cycle_id, stage_key=stage, unit_id=unit_id, kind=kind, wave=kind,
                    channel=channel, recipient=f"{code}@example.cn", subject="提醒", body="请报送", send_after=now - dt.timedelta(days=9 - step)))
    enqueue(session, messages, now)  # type: ignore[arg-type]
    session.execute(update(OutboxMessage).where(OutboxMessage.cycle_id == cycle_id, OutboxMessage.kind == "stage_opened")  # type: ignore[attr-defined]
                    .values(status="sent", sent_at=now - dt.timedelta(days=9)))


def test_a_page_of_the_overdue_list_is_the_start_of_the_full_list(database_url: str, tmp_path: Path) -> None:
    now = bj(2019, 1, 25)
    portal = make_portal(database_url, tmp_path / "home", now=now)
    calendar = load_calendar()
    with session_scope(database_url) as session:
        cycle = session.scalars(select(Cycle).where(Cycle.key == portal.cycle)).one()
        units = dict(session.execute(select(Unit.code, Unit.id).where(Unit.cycle_id == cycle.id)).tuples().all())
        _remind(session, cycle.id, units, now)
        session.flush()
        for chosen in (OverdueFilter(), OverdueFilter(stage="self_check"), OverdueFilter(attributes={"region": "西片"}),
                       OverdueFilter(stage="nope")):
            full = overdue_list(session, calendar, cycle, now, chosen)
            for limit in range(1, len(full) + 2):
                rows, total = overdue_page(session, calendar, cycle, now, chosen, limit)
                assert (rows, total) == (full[:limit], len(full))
        full = overdue_list(session, calendar, cycle, now, OverdueFilter())
        assert full and all(r.reminder_at is not None for r in full)
        newest = {(r.unit, r.stage): (r.reminder_kind, r.reminder_channel) for r in full}
        assert {kind for kind, _ in newest.values()} == {"stage_opened", "upcoming", "overdue"}
        assert all((kind, channel) in {("stage_opened", "email"), ("upcoming", "webhook"), ("overdue", "sms")}
                   for kind, channel in newest.values())
        sent = [r for r in full if r.reminder_kind == "stage_opened"]
        assert sent and all(r.reminder_status == "sent" and r.reminder_at == now - dt.timedelta(days=9) for r in sent)

        choices = filter_choices(session, cycle)
        listed = session.execute(select(*(getattr(Unit, a) for a in FILTER_ATTRIBUTES)).where(Unit.cycle_id == cycle.id)).all()
        assert choices == {a: sorted({row[i] for row in listed if row[i]}) for i, a in enumerate(FILTER_ATTRIBUTES)}
        assert choices["region"] == ["东片", "西片"]
