"""The planning flow: create a cycle from a scheme, a year and a roster file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from prefect import flow, task

from kaohe.db import ensure_schema, session_scope
from kaohe.flows.run_log import create_run_name, run_log
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.schemes.validity import require_validity
from kaohe.settings import get_settings
from kaohe.store.cycles import create_cycle as store_cycle
from kaohe.workdays import load_calendar


@task(name="create-cycle-record")
def create_cycle_record(scheme: str, year: int, roster: str, key: str | None,
                        holiday_policy: Literal["keep", "next", "previous"] | None,
                        outside_validity: bool = False) -> dict[str, object]:
    """Plan the cycle, read the roster and store both in one transaction; a year outside the scheme's
    validity period is refused unless ``outside_validity``."""
    settings = get_settings()
    loaded = load_scheme(scheme, settings.schemes_dir)
    require_validity(loaded.name, loaded.validity, year, outside_validity=outside_validity, option="outside_validity=true")
    plan = plan_cycle(loaded, year, load_calendar(settings.holidays_file), policy_override=holiday_policy,
                      office_hours=settings.office_hours)
    entries = read_roster(Path(roster))
    url = settings.effective_database_url
    ensure_schema(url)
    with session_scope(url) as session:
        cycle = store_cycle(session, key=key or f"{loaded.id}-{year}", scheme=loaded, plan=plan, roster=entries,
                            actor="flow:create-cycle", now=dt.datetime.now(dt.timezone.utc),
                            holiday_policy=holiday_policy, office_hours=settings.office_hours)
        return {"cycle": cycle.key, "units": len(entries), "stages": len(plan.stages), "provisional": plan.provisional,
                "warnings": list(plan.warnings)}


@flow(name="create-cycle", flow_run_name=create_run_name)
def create_cycle(scheme: str, year: int, roster: str, key: str | None = None,
                 holiday_policy: Literal["keep", "next", "previous"] | None = None,
                 outside_validity: bool = False) -> dict[str, object]:
    """Create a cycle (the coordinator's first step); schedule it afterwards with schedule-cycle."""
    created = create_cycle_record(scheme, year, roster, key, holiday_policy, outside_validity)
    run_log().info("已创建周期 %s：%s 个单位，%s 个阶段", created["cycle"], created["units"], created["stages"])
    return created
