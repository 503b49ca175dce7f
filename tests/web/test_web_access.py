"""Every route × every role: the allowed roles get the page, the others 403 or 404; nothing but login,
invitations, task links and static files answers without a session; a form without its CSRF token
is refused; nobody reaches another unit's page or file by guessing."""

from __future__ import annotations

import httpx
import pytest
from web_support import ROLES, Portal, csrf_of

from kaohe.web.routes import admin, api, auth, board, constraints, office, office_api, results, special, tasks
from kaohe.web.routes.unit_portal import routers as unit_portal_routers

ALL = frozenset(ROLES)
OVERSEERS = frozenset({"admin", "coordinator", "leader", "lead_assessor"})
UNIT = frozenset({"unit"})
ADMIN = frozenset({"admin"})
VERIFIER = frozenset({"verifier"})

# (method, path, roles allowed); {cycle} and {unit} are the portal's cycle and the unit account's unit
GET_ROUTES = [
    ("/", ALL), ("/account", ALL),
    ("/tasks", UNIT), ("/tasks/{cycle}/self_check", UNIT), ("/results", UNIT),
    ("/cycles", OVERSEERS), ("/cycles/{cycle}", OVERSEERS), ("/cycles/{cycle}/overdue", OVERSEERS),
    ("/cycles/{cycle}/overdue.xlsx", OVERSEERS), ("/cycles/{cycle}/units/{unit}", OVERSEERS), ("/cycles/{cycle}/results", OVERSEERS),
    ("/cycles/{cycle}/stages/self_check", OVERSEERS), ("/cycles/{cycle}/stages/spot_check", OVERSEERS), ("/cycles/{cycle}/orders", OVERSEERS),
    ("/cycles/{cycle}/tree", OVERSEERS), ("/cycles/{cycle}/special", OVERSEERS),
    ("/cycles/{cycle}/constraints", OVERSEERS),
    ("/admin/accounts", ADMIN), ("/admin/audit", ADMIN),
    ("/api/me", ALL), ("/api/openapi.json", ALL), ("/api/tasks", UNIT), ("/api/cycles", OVERSEERS),
    ("/api/cycles/{cycle}/board", OVERSEERS), ("/api/cycles/{cycle}/overdue", OVERSEERS), ("/api/cycles/{cycle}/orders", OVERSEERS),
    ("/verify", VERIFIER), ("/verify/{cycle}/{unit}", VERIFIER),
    ("/orders", UNIT), ("/rectification", UNIT), ("/calendar", UNIT),
    ("/api/orders", UNIT), ("/api/verify", VERIFIER), ("/api/verify/{cycle}/{unit}", VERIFIER),
]
POST_ROUTES = [
    ("/logout", ALL), ("/account/password", ALL), ("/tasks/{cycle}/self_check/upload", UNIT),
    ("/cycles/{cycle}/results/approve", frozenset({"leader", "admin"})), ("/cycles/{cycle}/results/send", frozenset({"coordinator", "admin"})),
    ("/admin/accounts", ADMIN), ("/admin/accounts/{unit}/reset", ADMIN), ("/api/tasks/{cycle}/self_check/submissions", UNIT),
    ("/cycles/{cycle}/stages/self_check/extend", frozenset({"admin", "coordinator"})),
    ("/cycles/{cycle}/stages/self_check/close", frozenset({"admin", "coordinator"})),
    ("/cycles/{cycle}/stages/spot_check/sample", frozenset({"admin", "coordinator", "lead_assessor"})),
    ("/cycles/{cycle}/orders", frozenset({"admin", "coordinator", "leader"})),
    ("/cycles/{cycle}/special/upload", frozenset({"admin", "coordinator"})), ("/cycles/{cycle}/constraints/upload", OVERSEERS),
    ("/verify/{cycle}/{unit}/scores", VERIFIER), ("/verify/{cycle}/{unit}/upload", VERIFIER), ("/verify/{cycle}/{unit}/sign-off", VERIFIER),
    ("/orders/{cycle}/1/acknowledge", UNIT), ("/orders/{cycle}/1/reply", UNIT), ("/orders/{cycle}/1/close", UNIT),
    ("/rectification/{cycle}/1/upload", UNIT), ("/calendar/rotate", UNIT),
    ("/api/cycles/{cycle}/stages/self_check/extend", frozenset({"admin", "coordinator"})),
    ("/api/cycles/{cycle}/stages/self_check/close", frozenset({"admin", "coordinator"})),
    ("/api/cycles/{cycle}/stages/spot_check/sample", frozenset({"admin", "coordinator", "lead_assessor"})),
    ("/api/cycles/{cycle}/orders", frozenset({"admin", "coordinator", "leader"})),
    ("/api/cycles/{cycle}/special/self_check/scores", frozenset({"admin", "coordinator"})),
    ("/api/orders/{cycle}/1/acknowledge", UNIT), ("/api/orders/{cycle}/1/replies", UNIT),
    ("/api/verify/{cycle}/{unit}/sign-off", VERIFIER),
]
PUT_ROUTES = [("/api/verify/{cycle}/{unit}/scores", VERIFIER)]
# answer without a session (the task link and the receipt/file/letter routes are tested on their own below)
PUBLIC = {("GET", "/login"), ("POST", "/login"), ("GET", "/invite/{token}"), ("POST", "/invite/{token}"), ("GET", "/t/{token}"),
          ("GET", "/ics/{unit_code}/{token}.ics")}  # the calendar feed: only with the unit's current token (test_web_unit_portal)
WITH_IDS = {("GET", "/receipts/{cycle_key}/{stage_key}/{version}"), ("GET", "/files/{submission_id}"), ("GET", "/results/{key}/letter"),
            ("GET", "/cycles/{cycle}/stages/{stage}/sample.json"), ("GET", "/cycles/{cycle}/results/{version}/{document}"),
            ("GET", "/cycles/{cycle}/results/{version}/letters/{unit}"),
            ("GET", "/orders/{cycle_key}/{number}"), ("GET", "/orders/{cycle_key}/{number}/evidence")}
# (the sample record, the result documents and letters exist only after a draw and a publication: tests/web/test_web_office.py;
#  a unit's order pages and the calendar feed: tests/web/test_web_unit_portal.py)


def _fill(path: str, portal: Portal) -> str:
    return path.replace("{cycle}", portal.cycle).replace("{unit}", portal.unit)


def test_the_tables_name_every_route_of_the_portal() -> None:
    routers = [module.router for module in (auth, tasks, board, office, office_api, results, admin, api, special, constraints)] + unit_portal_routers()
    declared = {(m, r.path) for router in routers for r in router.routes for m in r.methods}  # type: ignore[attr-defined]
    normalise = {"{cycle_key}": "{cycle}", "{stage_key}": "self_check", "{key}": "{cycle}", "{code}": "{unit}", "{name}": "{unit}",
                 "{stage}": "self_check", "spot_check": "self_check", "{unit_code}": "{unit}", "{number}": "1", "{item}": "1"}
    def norm(path: str) -> str:
        for a, b in normalise.items():
            path = path.replace(a, b)
        return path
    covered = ({("GET", norm(p)) for p, _ in GET_ROUTES} | {("POST", norm(p)) for p, _ in POST_ROUTES}
               | {("PUT", norm(p)) for p, _ in PUT_ROUTES} | PUBLIC | WITH_IDS)
    assert {(m, norm(p)) for m, p in declared} - {(m, norm(p)) for m, p in covered} == set()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), GET_ROUTES, ids=[p for p, _ in GET_ROUTES])
def test_each_page_answers_its_roles_and_refuses_the_others(portal: Portal, clients: dict[str, httpx.Client], path: str,
                                                           allowed: frozenset[str], role: str) -> None:
    response = clients[role].get(_fill(path, portal))
    if role in allowed:
        assert response.status_code in (200, 303), response.text[:300]
        if path == "/":
            assert response.headers["location"] in ("/tasks", "/cycles", "/account", "/verify")
    else:
        assert response.status_code in (403, 404), (role, path, response.status_code)
        if not path.startswith("/api"):
            assert "无权" in response.text or "不存在" in response.text


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), POST_ROUTES, ids=[p for p, _ in POST_ROUTES])
def test_each_form_refuses_other_roles_and_a_missing_csrf_token(portal: Portal, clients: dict[str, httpx.Client], path: str,
                                                               allowed: frozenset[str], role: str) -> None:
    if path.endswith(("/upload", "/submissions", "/close")):
        response = clients[role].post(_fill(path, portal), files={"report": ("r.pdf", b"%PDF")})
    else:
        response = clients[role].post(_fill(path, portal), data={"step": "x", "name": "n", "role": "unit"})
    assert response.status_code == 403, (role, path, response.status_code, response.text[:200])
    if role in allowed:
        assert "安全令牌" in response.text  # refused for the CSRF token, not the role


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "allowed"), PUT_ROUTES, ids=[p for p, _ in PUT_ROUTES])
def test_each_json_action_refuses_other_roles_and_a_missing_csrf_header(portal: Portal, clients: dict[str, httpx.Client], path: str,
                                                                       allowed: frozenset[str], role: str) -> None:
    response = clients[role].put(_fill(path, portal), json={"scores": []})
    assert response.status_code == 403, (role, path, response.status_code, response.text[:200])
    if role in allowed:
        assert "安全令牌" in response.text


@pytest.mark.parametrize(("method", "path"), [("GET", p) for p, _ in GET_ROUTES] + [("POST", p) for p, _ in POST_ROUTES]
                         + [("PUT", p) for p, _ in PUT_ROUTES])
def test_nothing_but_login_answers_without_a_session(portal: Portal, method: str, path: str) -> None:
    response = portal.client().request(method, _fill(path, portal))
    if path.startswith("/api"):
        assert response.status_code == 401
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_login_page_and_static_files_answer_without_a_session(portal: Portal) -> None:
    client = portal.client()
    page = client.get("/login")
    assert page.status_code == 200
    assert '<meta name="renderer" content="webkit">' in page.text
    assert 'lang="zh-CN"' in page.text
    assert "http://" not in page.text.replace('href="/', "").split("<main>")[0]  # nothing loaded from outside
    assert client.get("/static/htmx-1.9.12.min.js").status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_login_without_its_csrf_token_is_refused(portal: Portal) -> None:
    client = portal.client()
    client.get("/login")
    response = client.post("/login", data={"name": portal.accounts["unit"], "password": "Kaohe-Test-2019!"})
    assert response.status_code == 403
    wrong = client.post("/login", data={"name": portal.accounts["unit"], "password": "Kaohe-Test-2019!", "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert "kaohe_session" not in client.cookies


def test_a_csrf_token_of_another_session_is_refused(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    other = csrf_of(clients["admin"], "/account")
    response = clients["unit"].post("/account/password", data={"csrf_token": other, "old": "x", "new": "y", "repeat": "y"})
    assert response.status_code == 403


def test_a_coordinator_sees_only_its_own_cycles(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    from web_support import bj, make_portal

    other = make_portal(portal.settings.effective_database_url, portal.settings.home / "other", now=bj(2019, 1, 25))
    for path in ("/cycles/{cycle}", "/cycles/{cycle}/overdue", "/cycles/{cycle}/overdue.xlsx", "/api/cycles/{cycle}/overdue",
                 "/api/cycles/{cycle}/orders"):
        assert clients["coordinator"].get(path.replace("{cycle}", other.cycle)).status_code == 404
        assert clients["admin"].get(path.replace("{cycle}", other.cycle)).status_code == 200
    listed = clients["coordinator"].get("/api/cycles").json()
    assert [c["cycle"] for c in listed] == [portal.cycle]


def test_a_unit_cannot_reach_another_units_task_receipt_or_file(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    from web_support import PASSWORD

    from kaohe.accounts.service import accept_invitation, create_account, invite
    from kaohe.db import session_scope

    neighbour = f"{portal.prefix}A2"
    with session_scope(portal.settings.effective_database_url) as session:
        create_account(session, name=f"{portal.prefix}-a2", role="unit", unit_code=neighbour, by="test", now=portal.clock.now())
        accept_invitation(session, invite(session, f"{portal.prefix}-a2", by="test", now=portal.clock.now()), PASSWORD, now=portal.clock.now())
    theirs = portal.client()
    assert theirs.post("/login", data={"name": f"{portal.prefix}-a2", "password": PASSWORD, "csrf_token": csrf_of(theirs, "/login")}).status_code == 303
    token = csrf_of(theirs, f"/tasks/{portal.cycle}/self_check")
    uploaded = theirs.post(f"/tasks/{portal.cycle}/self_check/upload", data={"csrf_token": token},
                           files={"report": ("乙局自查报告.pdf", b"%PDF-1.4 neighbour's report")})
    assert uploaded.status_code == 303
    receipt_path = uploaded.headers["location"]
    submission_id = theirs.get(f"/tasks/{portal.cycle}/self_check").text.split('href="/files/')[1].split('"')[0]

    mine = clients["unit"]
    assert theirs.get(f"/files/{submission_id}").content == b"%PDF-1.4 neighbour's report"
    assert mine.get(f"/files/{submission_id}").status_code == 404
    assert mine.get(receipt_path + f"?unit={neighbour}").status_code == 404
    assert mine.get(receipt_path).status_code == 404  # its own unit has no such version
    for guess in range(1, int(submission_id) + 3):
        answer = mine.get(f"/files/{guess}")
        assert answer.status_code == 404 or b"neighbour" not in answer.content
    assert clients["coordinator"].get(f"/files/{submission_id}").status_code == 200
    assert mine.get(f"/cycles/{portal.cycle}/units/{neighbour}").status_code == 403
    assert mine.get(f"/tasks/{portal.cycle}/city_evaluation").status_code == 404  # not its task
