"""Accounts: invitations are one-time, passwords follow the policy and are argon2id, repeated failures
lock, idle sessions end, and every login, failure and logout is audited with where it came from."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select
from web_support import PASSWORD, Portal, csrf_of, login

from kaohe.accounts.passwords import policy_problems
from kaohe.accounts.service import create_account, invite
from kaohe.db import session_scope
from kaohe.models import Account, AuditEntry


def _audit(portal: Portal, actor: str) -> list[AuditEntry]:
    with session_scope(portal.settings.effective_database_url) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.actor == actor).order_by(AuditEntry.id)))


@pytest.mark.parametrize(("password", "problem"), [
    ("Short1!", "至少 10 位"), ("alllowercaseletters", "至少 3 类"), ("Abcdefghij", "至少 3 类"),
    ("Zhang-San-2019", "登录名"), ("aaaaaaaaaaaaA1", None), ("Aa1!Aa1!Aa1!", None),
])
def test_the_password_policy(password: str, problem: str | None) -> None:
    problems = policy_problems(password, login="zhang-san")
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_an_invitation_sets_the_first_password_once(portal: Portal) -> None:
    now = portal.clock.now()
    name = f"{portal.prefix}-invited"
    with session_scope(portal.settings.effective_database_url) as session:
        create_account(session, name=name, role="unit", unit_code=portal.unit, by="test", now=now)
        token = invite(session, name, by="test", now=now)
    client = portal.client()
    page = client.get(f"/invite/{token}")
    assert page.status_code == 200 and name in page.text
    weak = client.post(f"/invite/{token}", data={"csrf_token": csrf_of(client, f"/invite/{token}"), "password": "short", "repeat": "short"})
    assert weak.status_code == 400 and "至少 10 位" in weak.text
    accepted = client.post(f"/invite/{token}", data={"csrf_token": csrf_of(client, f"/invite/{token}"), "password": PASSWORD, "repeat": PASSWORD})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/tasks"
    cookie = accepted.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert client.get("/tasks").status_code == 200
    assert portal.client().get(f"/invite/{token}").status_code == 403  # spent
    with session_scope(portal.settings.effective_database_url) as session:
        stored = session.scalar(select(Account).where(Account.name == name))
        assert stored is not None and stored.password_hash is not None
        assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash


def test_repeated_failures_lock_the_account_until_the_lock_expires(own_portal: Portal) -> None:
    portal = own_portal
    name = portal.accounts["unit"]
    client = portal.client()
    for attempt in range(1, 5):
        failed = login(client, name, "Wrong-Password-1")
        assert failed.status_code == 401 and "登录名或密码不正确" in failed.text
    locking = login(client, name, "Wrong-Password-1")
    assert "锁定" in locking.text
    refused = login(client, name, PASSWORD)
    assert refused.status_code == 401 and "已锁定" in refused.text
    portal.clock.advance_to(portal.clock.now() + dt.timedelta(minutes=portal.settings.web_lockout_minutes, seconds=1))
    assert login(client, name, PASSWORD).status_code == 303
    actions = [e.action for e in _audit(portal, name)]
    assert actions.count("login.failed") == 5 and "login.refused_locked" in actions and actions[-1] == "login.succeeded"
    failure = next(e for e in _audit(portal, name) if e.action == "login.failed")
    assert failure.detail["ip"] == "127.0.0.1" and failure.detail["user_agent"].startswith("python-httpx")


def test_an_unknown_login_fails_like_a_wrong_password_and_is_audited(portal: Portal) -> None:
    response = login(portal.client(), f"{portal.prefix}-nobody", "Whatever-123")
    assert response.status_code == 401 and "登录名或密码不正确" in response.text
    [entry] = _audit(portal, f"{portal.prefix}-nobody")
    assert entry.action == "login.failed" and entry.detail["reason"] == "unknown"


def test_an_idle_session_ends_and_an_active_one_does_not(own_portal: Portal) -> None:
    portal = own_portal
    client = portal.login("coordinator")
    idle = dt.timedelta(minutes=portal.settings.web_idle_minutes)
    for _ in range(3):  # active: a request every 20 minutes keeps it alive past the idle time
        portal.clock.advance_to(portal.clock.now() + dt.timedelta(minutes=20))
        assert client.get("/cycles").status_code == 200
    portal.clock.advance_to(portal.clock.now() + idle + dt.timedelta(seconds=1))
    gone = client.get("/cycles")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    assert "session.idle_timeout" in [e.action for e in _audit(portal, portal.accounts["coordinator"])]
    assert client.get("/cycles").status_code == 303  # ended for good, not only this once


def test_logout_ends_the_session_server_side(own_portal: Portal) -> None:
    client = own_portal.login("leader")
    cookie = client.cookies.get("kaohe_session")
    assert client.post("/logout", data={"csrf_token": csrf_of(client, "/account")}).status_code == 303
    replay = own_portal.client()
    replay.cookies.set("kaohe_session", cookie)
    assert replay.get("/cycles").status_code == 303
    assert [e.action for e in _audit(own_portal, own_portal.accounts["leader"])][-1] == "logout"


def test_the_api_takes_a_bearer_token_and_refuses_a_wrong_one(portal: Portal) -> None:
    from kaohe.accounts.service import issue_api_token

    with session_scope(portal.settings.effective_database_url) as session:
        token = issue_api_token(session, portal.accounts["coordinator"], label="省数据平台", by="test", now=portal.clock.now())
    machine = portal.client()
    me = machine.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["role"] == "coordinator"
    overdue = machine.get(f"/api/cycles/{portal.cycle}/overdue", headers={"Authorization": f"Bearer {token}"})
    assert overdue.status_code == 200 and {r["unit"] for r in overdue.json()} >= {f"{portal.prefix}A3"}
    assert machine.get("/api/me", headers={"Authorization": "Bearer kh_forged"}).status_code == 401
    spec = machine.get("/api/openapi.json", headers={"Authorization": f"Bearer {token}"}).json()
    assert "/api/cycles/{key}/overdue" in spec["paths"]


def test_the_trusted_header_seam_logs_in_the_named_account(portal: Portal) -> None:
    from web_server import serve

    from kaohe.web.app import create_app

    settings = portal.settings.replaced(web_trusted_user_header="X-Remote-User")
    with serve(create_app(settings, clock=portal.clock)) as base:
        import httpx

        with httpx.Client(base_url=base) as client:
            assert client.get("/cycles", headers={"X-Remote-User": portal.accounts["coordinator"]}).status_code == 200
            assert client.get("/cycles", headers={"X-Remote-User": "nobody"}).status_code == 303
            assert client.get("/cycles").status_code == 303


def test_cli_creates_accounts_from_the_roster_with_invitation_links(portal: Portal, kaohe_env, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from kaohe.cli import cli

    monkeypatch.setenv("KAOHE_DATABASE_URL", portal.settings.effective_database_url)
    monkeypatch.setenv("KAOHE_PUBLIC_URL", "https://kaohe.example.gov.cn")
    from kaohe.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    made = runner.invoke(cli, ["accounts", "from-roster", portal.cycle, "--json"])
    assert made.exit_code == 0, made.output
    rows = json.loads(made.output)
    by_name = {r["account"]: r for r in rows}
    assert by_name[f"{portal.prefix}A2"]["role"] == "unit" and by_name[f"{portal.prefix}V2"]["role"] == "verifier"
    assert by_name[f"{portal.prefix}C1"]["role"] == "coordinator"
    assert all(re.fullmatch(r"https://kaohe\.example\.gov\.cn/invite/[\w-]{40,}", r["invitation"]) for r in rows)
    again = runner.invoke(cli, ["accounts", "from-roster", portal.cycle, "--json"])
    assert json.loads(again.output) == []
    from kaohe.cli.app import run

    assert run(cli, ["accounts", "create", "x y", "--role", "king"]) == 3
    err = capsys.readouterr().err
    assert "字段 name" in err and "未知角色" in err and "Traceback" not in err


def test_an_expired_password_leads_to_the_change_password_page_until_changed(own_portal: Portal) -> None:
    portal = own_portal
    max_days = portal.settings.web_password_max_days
    assert max_days == 90  # the default: 等保's periodic change
    portal.clock.advance_to(portal.clock.now() + dt.timedelta(days=max_days, minutes=-1))
    client = portal.login("unit")
    assert client.get("/tasks").status_code == 200  # not yet
    portal.clock.advance_to(portal.clock.now() + dt.timedelta(minutes=2))
    for path in ("/tasks", "/results", "/"):
        moved = client.get(path)
        assert moved.status_code == 303 and moved.headers["location"] == "/account", path
    assert client.get("/api/tasks").status_code == 403
    page = client.get("/account")
    assert page.status_code == 200 and f"超过 {max_days} 天未修改" in page.text
    fresh = portal.client()  # a new login lands on the change page too
    assert login(fresh, portal.accounts["unit"], PASSWORD).headers["location"] == "/account"
    token = csrf_of(client, "/account")
    same = client.post("/account/password", data={"csrf_token": token, "old": PASSWORD, "new": PASSWORD, "repeat": PASSWORD})
    assert same.status_code == 400 and "不能与原密码相同" in same.text
    changed = client.post("/account/password", data={"csrf_token": token, "old": PASSWORD, "new": "Kaohe-Renewed-2019!",
                                                     "repeat": "Kaohe-Renewed-2019!"})
    assert changed.status_code == 200 and "密码已修改" in changed.text and "超过" not in changed.text
    assert client.get("/tasks").status_code == 200


def test_password_expiry_is_off_at_zero_and_spares_bearer_tokens(own_portal: Portal) -> None:
    from web_server import serve

    from kaohe.accounts.service import issue_api_token
    from kaohe.web.app import create_app

    portal = own_portal
    with session_scope(portal.settings.effective_database_url) as session:
        token = issue_api_token(session, portal.accounts["unit"], label="单位系统", by="test", now=portal.clock.now())
    portal.clock.advance_to(portal.clock.now() + dt.timedelta(days=400))
    assert portal.client().get("/api/tasks", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    settings = portal.settings.replaced(web_password_max_days=0)
    with serve(create_app(settings, clock=portal.clock)) as base:
        import httpx

        with httpx.Client(base_url=base) as client:
            assert login(client, portal.accounts["unit"], PASSWORD).headers["location"] == "/tasks"  # type: ignore[attr-defined]
            assert client.get("/tasks").status_code == 200
