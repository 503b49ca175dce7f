"""The office reads a cycle's supervision orders from the JSON API (``GET /api/cycles/KEY/orders``) as the orders page
shows them: each unit's 签收 (when, by whom) and replies. Only overseers of the cycle; a unit reads its own at /api/orders."""

from __future__ import annotations

import httpx
from web_support import PASSWORD, Portal, add_ordos_cycle, csrf_of, login

from kaohe.db import session_scope


def test_the_office_reads_each_orders_sign_off_and_replies_from_the_api(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    from kaohe.accounts.service import issue_api_token

    with session_scope(portal.settings.effective_database_url) as session:
        token = issue_api_token(session, portal.accounts["coordinator"], label="省数据平台", by="test", now=portal.clock.now())
    machine = httpx.Client(base_url=portal.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    api = f"/api/cycles/{portal.cycle}/orders"
    issued = machine.post(api, json={"unit": portal.unit, "issue": "扶贫资金台账待核", "due": "2019-02-20"})
    assert issued.status_code == 201, issued.text
    number = issued.json()["order"]
    [fresh] = [o for o in machine.get(api).json() if o["order"] == number]
    assert (fresh["unit"], fresh["issue"], fresh["status"], fresh["acknowledged_at"], fresh["replies"]) == (
        portal.unit, "扶贫资金台账待核", "open", None, [])
    assert fresh["due"].startswith("2019-02-20T23:59") and fresh["due"].endswith("+08:00")

    unit = clients["unit"]
    page = f"/orders/{portal.cycle}/{number}"
    assert unit.post(f"{page}/reply", data={"csrf_token": csrf_of(unit, page), "text": "台账已补齐"}).status_code == 303

    for reader in (machine, clients["leader"], clients["lead_assessor"], clients["admin"]):
        response = reader.get(api)
        assert response.status_code == 200, response.text
        [order] = [o for o in response.json() if o["order"] == number]
        assert order["acknowledged_by"] == portal.accounts["unit"] and order["acknowledged_at"] == "2019-01-25T10:00:00+08:00"
        assert [(r["by"], r["text"]) for r in order["replies"]] == [(portal.accounts["unit"], "台账已补齐")]


def test_units_strangers_and_other_cycles_coordinators_do_not_read_the_cycles_orders(portal: Portal,
                                                                                      clients: dict[str, httpx.Client]) -> None:
    api = f"/api/cycles/{portal.cycle}/orders"
    for role in ("unit", "verifier", "evaluator"):
        assert clients[role].get(api).status_code == 403, role
    assert portal.client().get(api).status_code == 401
    ordos, name = add_ordos_cycle(portal, "orders-api")
    other = portal.client()
    assert login(other, name, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    assert other.get(api).status_code == 404
    assert other.get(f"/api/cycles/{ordos}/orders").json() == []
    assert clients["coordinator"].get("/api/cycles/no-such-cycle/orders").status_code == 404
