"""Creating a cycle writes exactly the rows its plan and roster call for: one unit per roster entry with
every field, and one pending obligation per unit and per stage its role acts in (never rectification)."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.models import CycleStage, Obligation, Unit
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import create_cycle
from kaohe.workdays import load_calendar

SCHEME = load_scheme("mile", PROJECT_ROOT / "schemes")
PLAN = plan_cycle(SCHEME, 2018, load_calendar())
NOW = dt.datetime(2018, 11, 30, 8, 30, tzinfo=dt.timezone.utc)
KEYS = itertools.count()
text = st.text(alphabet="弥勒市乡镇片区ABC123", min_size=1, max_size=6)


@st.composite
def rosters(draw: st.DrawFn) -> list[RosterEntry]:
    count = draw(st.integers(min_value=1, max_value=12))
    roles = draw(st.lists(st.sampled_from(list(Role)), min_size=count, max_size=count))
    return [
        RosterEntry(
            code=f"U{n:03d}", name=f"单位{n:03d}", role=role, kind=draw(st.one_of(st.none(), text)),
            township=draw(st.one_of(st.none(), text)), county=draw(st.one_of(st.none(), text)),
            supervisor=draw(st.one_of(st.none(), st.just("U000"))),
            contacts=draw(st.dictionaries(st.sampled_from(["email", "webhook", "mobile"]), text, max_size=2)),
            attributes=draw(st.dictionaries(st.sampled_from(["备注", "联系人"]), text, max_size=2)),
        )
        for n, role in enumerate(roles)
    ]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=rosters())
def test_units_and_obligations_follow_the_roster_and_the_plan(roster: list[RosterEntry], session: Session) -> None:
    cycle = create_cycle(session, key=f"mile-2018-rows-{next(KEYS)}", scheme=SCHEME, plan=PLAN, roster=roster, actor="test", now=NOW)
    session.flush()
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.cycle_id == cycle.id))}
    assert sorted(units) == sorted(e.code for e in roster) == [u.code for u in cycle.units]
    for entry in roster:
        unit = units[entry.code]
        assert (unit.name, unit.kind, unit.role, unit.township, unit.county, unit.supervisor_code, unit.contacts, unit.attributes) == (
            entry.name, entry.kind or "", str(entry.role), entry.township, entry.county, entry.supervisor, dict(entry.contacts),
            dict(entry.attributes))
    stages = {s.id: s for s in session.scalars(select(CycleStage).where(CycleStage.cycle_id == cycle.id))}
    code_of = {u.id: u.code for u in units.values()}
    made = sorted((stages[o.stage_id].key, code_of[o.unit_id], o.due_at, o.status, o.created_at)
                  for o in session.scalars(select(Obligation).where(Obligation.cycle_id == cycle.id)))
    expected = sorted((planned.id, entry.code, planned.due, "pending", NOW)
                      for planned in PLAN.stages if planned.actor is not None and planned.kind != "rectification"
                      for entry in roster if str(entry.role) == planned.actor)
    assert made == expected
    assert [s.key for s in cycle.stages] == [p.id for p in PLAN.stages]
