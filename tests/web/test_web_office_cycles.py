"""The cycles list leads to what the board leads to: each cycle's supervision orders, and its special verification
and constraint indicators where its scheme has them, for every overseer of the cycle; every link opens."""

from __future__ import annotations

import re

import httpx
import pytest
from web_support import PASSWORD, Portal, add_ordos_cycle, login

PAGES = ("orders", "special", "constraints")


def links(client: httpx.Client, key: str) -> set[str]:
    """The pages of cycle ``key`` (orders, special, constraints) its row on the cycles list links to."""
    response = client.get("/cycles")
    assert response.status_code == 200
    rows = [row for row in response.text.split("<tr>") if f'href="/cycles/{key}"' in row]
    assert len(rows) == 1, f"{key} is not listed once"
    return set(re.findall(rf'href="/cycles/{re.escape(key)}/({"|".join(PAGES)})"', rows[0]))


@pytest.fixture(scope="module")
def ordos(portal: Portal) -> tuple[str, httpx.Client]:
    """An 鄂尔多斯 cycle (special verification, constraint indicators) and its coordinator, logged in."""
    key, name = add_ordos_cycle(portal, "list")
    client = portal.client()
    assert login(client, name, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    return key, client


def test_the_cycles_list_links_to_special_verification_and_constraints_where_the_scheme_has_them(
        portal: Portal, clients: dict[str, httpx.Client], ordos: tuple[str, httpx.Client]) -> None:
    key, office = ordos
    assert links(office, key) == {"orders", "special", "constraints"}
    assert f'href="/cycles/{portal.cycle}"' not in office.get("/cycles").text
    assert links(clients["admin"], key) == {"orders", "special", "constraints"}
    assert links(clients["admin"], portal.cycle) == {"orders"}
    for page in PAGES:
        answer = office.get(f"/cycles/{key}/{page}")
        assert answer.status_code == 200 and "<h1>" in answer.text, (page, answer.status_code)


@pytest.mark.parametrize("role", ["admin", "coordinator", "leader", "lead_assessor"])
def test_every_overseer_reaches_the_orders_of_its_cycle_from_the_list(portal: Portal, clients: dict[str, httpx.Client], role: str) -> None:
    assert links(clients[role], portal.cycle) == {"orders"}
    assert "督办单" in clients[role].get(f"/cycles/{portal.cycle}/orders").text
