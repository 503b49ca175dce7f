"""The planning flow: create a cycle from a scheme, a year, its events and a roster file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from prefect import flow, task

from kaohe.flows.run_log import create_run_name, run_log
from kaohe.services import current_context, system
from kaohe.services.cycles import CreateCycle
from kaohe.services.cycles import create_cycle as create_cycle_service

ACTOR = "flow:create-cycle"


@task(name="create-cycle-record")
def create_cycle_record(scheme: str, year: int, roster: str, key: str | None,
                        holiday_policy: Literal["keep", "next", "previous"] | None, outside_validity: bool = False,
                        events: dict[str, dt.date] | None = None, parent: str | None = None,
                        parent_unit: str | None = None) -> dict[str, Any]:
    """The create-cycle service acting as the flow (``kaohe.services.cycles``)."""
    created = create_cycle_service(current_context(), CreateCycle(
        system(ACTOR), scheme, year, Path(roster), key, holiday_policy, events or {}, parent, parent_unit, outside_validity,
        validity_option="outside_validity=true"))
    return created.to_json()


@flow(name="create-cycle", flow_run_name=create_run_name)
def create_cycle(scheme: str, year: int, roster: str, key: str | None = None,
                 holiday_policy: Literal["keep", "next", "previous"] | None = None, outside_validity: bool = False,
                 events: dict[str, dt.date] | None = None, parent: str | None = None,
                 parent_unit: str | None = None) -> dict[str, Any]:
    """Create a cycle (the coordinator's first step); schedule it afterwards with schedule-cycle."""
    created = create_cycle_record(scheme, year, roster, key, holiday_policy, outside_validity, events, parent, parent_unit)
    run_log().info("已创建周期 %s：%s 个单位，%s 个阶段", created["cycle"], created["units"], created["stages"])
    return created
