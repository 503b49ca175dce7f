"""The create-cycle flow is the create-cycle service: events, the flow's account in the audit log, one-line refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.errors import InputError
from kaohe.flows.create_cycle import create_cycle
from kaohe.models import AuditEntry
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import get_cycle

pytestmark = pytest.mark.prefect
ROSTER = str(PROJECT_ROOT / "samples" / "inner-mongolia-roster.csv")


def test_the_flow_sets_the_events_and_records_its_account(flow_env: str) -> None:
    created = create_cycle("inner-mongolia-teams", 2018, ROSTER, key="im-2018-flow", events={"summary_meeting": dt.date(2019, 1, 25)})
    assert created["cycle"] == "im-2018-flow" and created["units"] > 0
    with session_scope(flow_env) as session:
        cycle = get_cycle(session, "im-2018-flow")
        assert cycle.events == {"summary_meeting": "2019-01-25"}
        materials = next(s for s in cycle.stages if s.key == "meeting_materials")
        assert materials.due_at.astimezone(BEIJING).date() == dt.date(2019, 1, 22)  # three days before the meeting
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle.id, AuditEntry.action == "cycle.created"))
        assert entry.actor == "flow:create-cycle"


def test_an_unknown_event_or_a_year_outside_validity_is_refused_and_nothing_is_stored(flow_env: str) -> None:
    with pytest.raises(InputError, match="没有事件 meeting"):
        create_cycle("inner-mongolia-teams", 2018, ROSTER, key="im-bad-event", events={"meeting": dt.date(2019, 1, 25)})
    with pytest.raises(InputError, match="outside_validity=true"):
        create_cycle("inner-mongolia-teams", 2025, ROSTER, key="im-2025")
    with session_scope(flow_env) as session, pytest.raises(Exception, match="im-bad-event"):
        get_cycle(session, "im-bad-event")
