"""Helpers of the portal tests: a cycle on a real database with an account per role, served by a real uvicorn."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI

from kaohe.accounts.service import accept_invitation, create_account, invite
from kaohe.clock import BEIJING, SimulatedClock
from kaohe.db import session_scope
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT, Settings
from kaohe.store.cycles import create_cycle
from kaohe.web.app import create_app
from kaohe.workdays import load_calendar

PASSWORD = "Kaohe-Test-2019!"
ROLES = ("admin", "coordinator", "leader", "unit", "verifier", "lead_assessor", "evaluator")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def bj(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant in Beijing time."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def roster_text(p: str) -> str:
    """A small 弥勒 roster whose codes start with ``p`` (so modules sharing a database do not meet)."""
    return f"""编码,名称,类别,角色,乡镇,片区,上级,邮箱
{p}A1,弥勒市甲局,市级部门,被考核单位,弥阳镇,东片,{p}V1,a1@example.org
{p}A2,弥勒市乙局,市级部门,被考核单位,弥阳镇,东片,{p}V1,a2@example.org
{p}A3,弥勒市丙公司,非公企业,被考核单位,虹溪镇,西片,{p}V2,a3@example.org
{p}V1,弥阳镇扶贫工作站,乡镇,核查单位,弥阳镇,东片,{p}C1,v1@example.org
{p}V2,虹溪镇扶贫工作站,乡镇,核查单位,虹溪镇,西片,{p}C1,v2@example.org
{p}L1,市牵头考核单位,市级部门,牵头考核单位,,,{p}C1,l1@example.org
{p}C1,市联席办,市级部门,协调办公室,,,,c1@example.org
"""


@dataclass
class Portal:
    """A running portal (in-process) over one cycle, with an account per role."""

    app: FastAPI
    settings: Settings
    clock: SimulatedClock
    cycle: str
    prefix: str
    accounts: dict[str, str] = field(default_factory=dict)
    base_url: str = ""

    @property
    def unit(self) -> str:
        """The unit code of the ``unit`` account."""
        return f"{self.prefix}A1"

    def client(self) -> httpx.Client:
        """A fresh browser-like client (no cookies) of the running server."""
        return httpx.Client(base_url=self.base_url, follow_redirects=False, timeout=30)

    def login(self, role: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in as the account of ``role``."""
        client = self.client()
        response = login(client, self.accounts[role], password)
        assert response.status_code == 303, response.text
        return client


def csrf_of(client: httpx.Client, path: str) -> str:
    """The CSRF token on the form of the page at ``path``."""
    response = client.get(path)
    found = CSRF.search(response.text)
    assert found, f"{path} has no CSRF token ({response.status_code})"
    return found.group(1)


def login(client: httpx.Client, name: str, password: str) -> object:
    """Post the login form as a browser would (with the form's CSRF token)."""
    token = csrf_of(client, "/login")
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token, "next": ""})


def make_portal(database_url: str, home: Path, *, now: dt.datetime, public_url: str = "http://127.0.0.1") -> Portal:
    """A cycle of the 弥勒 scheme (2018) and one account per role, all with ``PASSWORD``."""
    prefix = f"W{uuid.uuid4().hex[:6]}"
    home.mkdir(parents=True, exist_ok=True)
    roster = home / "roster.csv"
    roster.write_text(roster_text(prefix), encoding="utf-8")
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    key = f"mile-2018-{prefix.lower()}"
    settings = Settings(home=home, database_url=database_url, secret_key="web-test-secret", public_url=public_url)
    clock = SimulatedClock(now)
    app = create_app(settings, clock=clock)
    accounts = {}
    with session_scope(database_url) as session:
        create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, 2018, load_calendar()), roster=read_roster(roster),
                     actor="test", now=bj(2018, 11, 1))
        units = {"unit": f"{prefix}A1", "verifier": f"{prefix}V1", "lead_assessor": f"{prefix}L1", "evaluator": f"{prefix}E1"}
        for role in ROLES:
            name = f"{prefix}-{role}"
            create_account(session, name=name, role=role, unit_code=units.get(role), cycles=[key] if role in ("coordinator", "leader") else None,
                           by="test", now=now)
            accept_invitation(session, invite(session, name, by="test", now=now), PASSWORD, now=now)
            accounts[role] = name
    return Portal(app, settings, clock, key, prefix, accounts)


def make_cascade(database_url: str, *, year: int = 2018) -> dict[str, str]:
    """Sichuan's province cycle with two city cycles under it (the example city scheme, Sichuan 第十二条), built
    through the real store with fresh keys; returns {"province": key, "SC-C08": key, "SC-C09": key}."""
    from kaohe.cascade.levels import stored_parent_dates
    from kaohe.schemes.loader import load_lineage

    samples = PROJECT_ROOT / "samples"
    suffix = f"-{uuid.uuid4().hex[:6]}"
    lineage = load_lineage(str(samples / "sichuan-city-example.yaml"), PROJECT_ROOT / "schemes")
    calendar = load_calendar()
    keys = {"province": f"sichuan-{year}{suffix}"}
    with session_scope(database_url) as session:
        province = create_cycle(session, key=keys["province"], scheme=lineage[1], plan=plan_cycle(lineage[1], year, calendar),
                                roster=read_roster(samples / "sichuan-roster.csv"), actor="test", now=bj(year, 11, 1))
        session.flush()
        for code, (name, roster) in {"SC-C08": ("suining", "sichuan-city-suining-roster.csv"),
                                     "SC-C09": ("neijiang", "sichuan-city-neijiang-roster.csv")}.items():
            keys[code] = f"{name}-{year}{suffix}"
            create_cycle(session, key=keys[code], scheme=lineage[0], plan=plan_cycle(lineage[0], year, calendar, parent=stored_parent_dates(province)),
                         roster=read_roster(samples / roster), actor="test", now=bj(year, 11, 1), parent=province, parent_unit=code)
    return keys


def add_ordos_cycle(portal: Portal, tag: str = "") -> tuple[str, str]:
    """An 鄂尔多斯 cycle of 2019 (special verification in two phases, the first open from 1 January) beside the portal's
    cycle, with three assessed units ``{prefix}DS``/``ZG``/``HJ`` and a coordinator of that cycle alone (``tag`` tells
    several such cycles apart); returns (cycle key, coordinator's account name)."""
    p = portal.prefix
    roster = portal.settings.home / f"ordos-roster{tag}.csv"
    roster.write_text(f"""编码,名称,类别,角色,上级,邮箱
{p}DS,东胜区委区政府,旗区,被考核单位,{p}OF,ds@example.org
{p}ZG,准格尔旗委旗政府,旗区,被考核单位,{p}OF,zg@example.org
{p}HJ,杭锦旗委旗政府,旗区,被考核单位,{p}OF,hj@example.org
{p}OF,市精准脱贫攻坚工作领导小组办公室,机关,协调办公室,,office@example.org
""", encoding="utf-8")
    scheme = load_scheme("ordos", PROJECT_ROOT / "schemes")
    key = f"ordos-2019-{p.lower()}{tag}"
    name = f"{p}-ordos{tag}-coordinator"
    now = portal.clock.now()
    with session_scope(portal.settings.effective_database_url) as session:
        create_cycle(session, key=key, scheme=scheme, plan=plan_cycle(scheme, 2019, load_calendar()), roster=read_roster(roster),
                     actor="test", now=bj(2018, 11, 1))
        create_account(session, name=name, role="coordinator", unit_code=None, cycles=[key], by="test", now=now)
        accept_invitation(session, invite(session, name, by="test", now=now), PASSWORD, now=now)
    return key, name
