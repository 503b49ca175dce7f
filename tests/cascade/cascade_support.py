"""A province cycle with two city cycles under it (Sichuan 第十二条), built through the real store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.cascade.levels import stored_parent_dates
from kaohe.clock import BEIJING
from kaohe.models import Cycle, OutboxMessage, Unit
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes.loader import load_lineage
from kaohe.settings import PROJECT_ROOT
from kaohe.store.cycles import create_cycle
from kaohe.workdays import WorkdayCalendar

SCHEMES = PROJECT_ROOT / "schemes"
SAMPLES = PROJECT_ROOT / "samples"
CITIES = {"SC-C08": "sichuan-city-suining-roster.csv", "SC-C09": "sichuan-city-neijiang-roster.csv"}
CITY_KEYS = {"SC-C08": "suining", "SC-C09": "neijiang"}


@dataclass
class Tree:
    """The province cycle and its two city cycles."""

    province: Cycle
    cities: dict[str, Cycle]


def build_tree(session: Session, year: int, calendar: WorkdayCalendar, now: dt.datetime, *, suffix: str = "",
               province_roster: Path = SAMPLES / "sichuan-roster.csv") -> Tree:
    """sichuan-Y with suining-Y and neijiang-Y under it, each city's counties as its assessed units."""
    city_lineage = load_lineage(str(SAMPLES / "sichuan-city-example.yaml"), SCHEMES)
    province_scheme = city_lineage[1]
    province = create_cycle(session, key=f"sichuan-{year}{suffix}", scheme=province_scheme, plan=plan_cycle(province_scheme, year, calendar),
                            roster=read_roster(province_roster), actor="admin", now=now)
    session.flush()
    cities = {}
    for code, roster in CITIES.items():
        plan = plan_cycle(city_lineage[0], year, calendar, parent=stored_parent_dates(province))
        cities[code] = create_cycle(session, key=f"{CITY_KEYS[code]}-{year}{suffix}", scheme=city_lineage[0], plan=plan,
                                    roster=read_roster(SAMPLES / roster), actor="admin", now=now, parent=province, parent_unit=code)
    session.flush()
    session.refresh(province)
    return Tree(province, cities)


def due(cycle: Cycle, stage: str) -> dt.date:
    """A stage's deadline day, Beijing time."""
    return next(s for s in cycle.stages if s.key == stage).due_at.astimezone(BEIJING).date()


def messages(session: Session, kinds: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(cycle key, recipient unit code, kind) of every queued message of these kinds."""
    rows = session.execute(
        select(Cycle.key, Unit.code, OutboxMessage.kind).join(Cycle, OutboxMessage.cycle_id == Cycle.id)
        .join(Unit, OutboxMessage.unit_id == Unit.id).where(OutboxMessage.kind.in_(kinds), OutboxMessage.status != "cancelled")
    ).all()
    return sorted((a, b, c) for a, b, c in rows)
