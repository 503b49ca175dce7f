"""The verifier's pages and a unit's orders, rectification items and calendar subscription, over real HTTP:
each acts through the services, sees only its own (another unit's id answers 404) and needs its CSRF token."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import select
from web_support import PASSWORD, Portal, bj, csrf_of

from kaohe.accounts.service import accept_invitation, create_account, invite
from kaohe.db import session_scope
from kaohe.models import AuditEntry, Obligation
from kaohe.services import orders
from kaohe.services.actors import Actor, Role

SELF = "指标,自评分\n基础分,92\n资金投入加分,12\n"


def _actions(portal: Portal, action: str) -> list[AuditEntry]:
    with session_scope(portal.settings.effective_database_url) as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _hand_in(client: httpx.Client, portal: Portal, scores: str = SELF) -> httpx.Response:
    token = csrf_of(client, f"/tasks/{portal.cycle}/self_check")
    return client.post(f"/tasks/{portal.cycle}/self_check/upload", data={"csrf_token": token},
                       files={"report": ("自查报告.pdf", b"%PDF-1.4 self report"), "scores": ("自评表.csv", scores.encode())})


def unit_account(portal: Portal, code: str) -> httpx.Client:
    """A logged-in client of a new unit account for roster unit ``code``."""
    name = f"{portal.prefix}-{code.lower()}"
    with session_scope(portal.settings.effective_database_url) as session:
        create_account(session, name=name, role="unit", unit_code=code, by="test", now=portal.clock.now())
        accept_invitation(session, invite(session, name, by="test", now=portal.clock.now()), PASSWORD, now=portal.clock.now())
    client = portal.client()
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": csrf_of(client, "/login")})
    assert response.status_code == 303
    return client


def _form(page: str) -> dict[str, list[str]]:
    items = re.findall(r'name="item" value="([^"]+)"', page)
    return {"item": items}


def test_a_verifier_enters_scores_sees_the_differences_and_signs_off(own_portal: Portal) -> None:
    portal = own_portal
    p = portal.prefix
    unit, verifier = portal.login("unit"), portal.login("verifier")
    assert _hand_in(unit, portal).status_code == 303
    listed = verifier.get("/verify").text
    assert f"{p}A1" in listed and f"{p}A2" in listed and f"{p}A3" not in listed  # A3 is another township's
    assert "待核查" in listed and "待单位报送自评表" in listed
    assert "本单位的截止日期" in listed and "核查" in listed.split('id="own-deadlines"')[1]  # its own verification stage
    assert verifier.get(f"/verify/{portal.cycle}/{p}A3").status_code == 404
    assert verifier.get(f"/verify/{portal.cycle}/{p}V1").status_code == 404

    page_path = f"/verify/{portal.cycle}/{p}A1"
    page = verifier.get(page_path).text
    assert _form(page)["item"][:2] == ["base", "fund_input"] and "92" in page
    report_id = re.search(r'href="/files/(\d+)"', page)
    assert report_id and verifier.get(f"/files/{report_id.group(1)}").content == b"%PDF-1.4 self report"
    token = csrf_of(verifier, page_path)
    items = _form(page)["item"]
    blanks = [""] * (len(items) - 2)
    too_high = verifier.post(f"{page_path}/scores", data={"csrf_token": token, "item": items, "score": ["150", "12", *blanks],
                                                          "note": ["", "", *blanks]})
    assert too_high.status_code == 400 and "超出范围" in too_high.text and 'value="150"' in too_high.text  # what was typed stays
    saved = verifier.post(f"{page_path}/scores", data={"csrf_token": token, "item": items, "score": ["85", "12", *blanks],
                                                       "note": ["台账不全扣7分", "", *blanks]})
    assert saved.status_code == 303
    page = verifier.get(saved.headers["location"]).text
    assert "核查评分已保存" in page and "-7" in page and "台账不全扣7分" in page and "1 项不一致" in page
    assert "1 项" in verifier.get("/verify").text

    sheet = verifier.post(f"{page_path}/upload", data={"csrf_token": token},
                          files={"sheet": ("核查评分表.csv", "指标,核查分,说明\n基础分,88,台账补齐\n资金投入加分,12,\n".encode())})
    assert sheet.status_code == 303
    page = verifier.get(page_path).text
    assert "-4" in page and "台账补齐" in page
    bad_sheet = verifier.post(f"{page_path}/upload", data={"csrf_token": token}, files={"sheet": ("核查.csv", "指标,核查分\n不存在的指标,1\n".encode())})
    assert bad_sheet.status_code == 400 and "未知指标" in bad_sheet.text

    signed = verifier.post(f"{page_path}/sign-off", data={"csrf_token": token})
    assert signed.status_code == 303
    page = verifier.get(signed.headers["location"]).text
    assert "已签字确认" in page and 'name="score"' not in page
    assert verifier.post(f"{page_path}/sign-off", data={"csrf_token": token}).status_code == 400
    late = verifier.post(f"{page_path}/scores", data={"csrf_token": token, "item": items, "score": ["90", "12", *blanks],
                                                      "note": ["", "", *blanks]})
    assert late.status_code == 400 and "不能再修改" in late.text
    [entry] = [e for e in _actions(portal, "verification.signed_off") if e.subject == f"{p}A1"]
    assert entry.actor == portal.accounts["verifier"] and entry.detail["verified_total"] == "100"
    nothing = verifier.post(f"/verify/{portal.cycle}/{p}A2/sign-off", data={"csrf_token": token})
    assert nothing.status_code == 400 and "未核实" in nothing.text
    assert verifier.post(f"/verify/{portal.cycle}/{p}A3/sign-off", data={"csrf_token": token}).status_code == 404
    assert portal.login("unit").get(page_path).status_code == 403


def test_a_unit_signs_for_its_order_replies_and_closes_it_with_evidence(own_portal: Portal) -> None:
    portal = own_portal
    p = portal.prefix
    context = portal.app.state.web.services()
    admin = Actor("联席办", Role.ADMIN)
    mine = orders.issue(context, orders.IssueOrder(admin, portal.cycle, f"{p}A1", "入户走访台账不全，限期补齐", dt.date(2019, 2, 15)))
    theirs = orders.issue(context, orders.IssueOrder(admin, portal.cycle, f"{p}A2", "乙局的事项", dt.date(2019, 2, 15)))
    unit = portal.login("unit")
    listed = unit.get("/orders").text
    assert mine.order_no in listed and "未签收" in listed and theirs.order_no not in listed
    assert f'href="/orders/{portal.cycle}/{mine.number}"' in unit.get("/tasks").text  # the task list leads to the order's page
    path = f"/orders/{portal.cycle}/{mine.number}"
    other = f"/orders/{portal.cycle}/{theirs.number}"
    token = csrf_of(unit, path)
    assert unit.get(other).status_code == 404
    assert unit.post(f"{other}/acknowledge", data={"csrf_token": token}).status_code == 404
    assert unit.post(f"{other}/reply", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert unit.post(f"{other}/close", data={"csrf_token": token}, files={"evidence": ("e.pdf", b"x")}).status_code == 404

    acknowledged = unit.post(f"{path}/acknowledge", data={"csrf_token": token})
    assert acknowledged.status_code == 303
    page = unit.get(acknowledged.headers["location"]).text
    assert "已签收" in page and "由 " + portal.accounts["unit"] + " 签收" in page and "acknowledge-form" not in page
    assert unit.post(f"{path}/acknowledge", data={"csrf_token": token}).status_code == 303  # once is recorded, twice changes nothing
    [entry] = [e for e in _actions(portal, "order.acknowledged") if e.actor == portal.accounts["unit"]]  # the database is shared
    assert entry.detail["ip"] == "127.0.0.1" and entry.subject == mine.order_no
    from kaohe.models import DeliveryEvent

    with session_scope(portal.settings.effective_database_url) as session:
        events = [(e.event, e.stage_key, e.actor) for e in session.scalars(select(DeliveryEvent).where(
            DeliveryEvent.actor == portal.accounts["unit"]))]
    assert events == [("acknowledged", f"order_{mine.number}", portal.accounts["unit"])]  # in the delivery record (催办记录)

    empty = unit.post(f"{path}/reply", data={"csrf_token": token, "text": "  "})
    assert empty.status_code == 400 and "不能为空" in empty.text
    replied = unit.post(f"{path}/reply", data={"csrf_token": token, "text": "已补齐<b>入户</b>台账，明日上传佐证"})
    assert replied.status_code == 303
    page = unit.get(path).text
    assert "已补齐&lt;b&gt;入户&lt;/b&gt;台账" in page
    assert [e.detail["text"] for e in _actions(portal, "order.replied") if e.actor == portal.accounts["unit"]] == ["已补齐<b>入户</b>台账，明日上传佐证"]

    closed = unit.post(f"{path}/close", data={"csrf_token": token}, files={"evidence": ("整改佐证.pdf", b"%PDF evidence")})
    assert closed.status_code == 303
    page = unit.get(path).text
    assert "已办结" in page and "close-form" not in page
    assert unit.get(f"{path}/evidence").content == b"%PDF evidence"
    assert unit.get(f"{other}/evidence").status_code == 404
    assert "已办结" in unit.get("/orders").text


def test_a_unit_uploads_its_rectification_evidence_item_by_item(own_portal: Portal) -> None:
    from test_web_results import publish

    portal = own_portal
    p = portal.prefix
    publish(portal)
    portal.clock.advance_to(bj(2019, 3, 14))
    a2 = unit_account(portal, f"{p}A2")
    page = a2.get("/rectification").text
    numbers = [int(n) for n in re.findall(r'<tr data-item="(\d+)">', page)]
    assert numbers and "待整改" in page
    assert 'href="/rectification"' in a2.get("/tasks").text.split("<main>")[1]  # the task list leads to the items
    token = csrf_of(a2, "/rectification")
    first = a2.post(f"/rectification/{portal.cycle}/{numbers[0]}/upload", data={"csrf_token": token},
                    files={"evidence": ("第1项佐证.pdf", b"%PDF item one")})
    assert first.status_code == 303 and "/receipts/" in first.headers["location"]
    receipt = a2.get(first.headers["location"]).text
    assert f"第{numbers[0]}项整改佐证材料" in receipt and "第1项佐证.pdf" in receipt
    page = a2.get("/rectification").text
    assert "已报送，待验收" in page and "第1项佐证.pdf" in page
    with session_scope(portal.settings.effective_database_url) as session:
        from kaohe.store.cycles import get_cycle
        from kaohe.store.results import rectification_of

        obligation, _ = rectification_of(session, get_cycle(session, portal.cycle), f"{p}A2")
        assert obligation.status == ("done" if len(numbers) == 1 else "pending")
    for number in numbers[1:]:
        assert a2.post(f"/rectification/{portal.cycle}/{number}/upload", data={"csrf_token": token},
                       files={"evidence": (f"第{number}项.pdf", b"%PDF")}).status_code == 303
    with session_scope(portal.settings.effective_database_url) as session:
        assert session.get(Obligation, obligation.id).status == "done"  # type: ignore[union-attr]
    missing = a2.post(f"/rectification/{portal.cycle}/{max(numbers) + 1}/upload", data={"csrf_token": token},
                      files={"evidence": ("x.pdf", b"x")})
    assert missing.status_code == 404
    a1 = portal.login("unit")
    assert "暂无整改事项" in a1.get("/rectification").text
    assert a1.post(f"/rectification/{portal.cycle}/{numbers[0]}/upload", data={"csrf_token": csrf_of(a1, "/rectification")},
                   files={"evidence": ("x.pdf", b"x")}).status_code == 404  # A2's item is not A1's
    item_files = re.findall(r'href="/files/(\d+)"', a2.get("/rectification").text)
    assert item_files and all(a1.get(f"/files/{i}").status_code == 404 for i in item_files)


def test_the_calendar_feed_answers_only_its_current_token(own_portal: Portal) -> None:
    portal = own_portal
    unit = portal.login("unit")
    page = unit.get("/calendar").text
    url = re.search(r'id="feed-url" readonly value="([^"]+)"', page)
    assert url and url.group(1).startswith(f"{portal.settings.public_url}/ics/{portal.unit}/")
    path = url.group(1).removeprefix(portal.settings.public_url)
    anonymous = portal.client()
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text and "BEGIN:VALARM" in feed.text and f"{portal.cycle}.self_check.{portal.unit}@kaohe" in feed.text
    token = path.rsplit("/", 1)[1]
    assert anonymous.get(f"/ics/{portal.prefix}A2/{token}").status_code == 404  # the token is the unit's own
    assert anonymous.get(f"/ics/{portal.unit}/forged.ics").status_code == 404

    rotated = unit.post("/calendar/rotate", data={"csrf_token": csrf_of(unit, "/calendar")})
    assert rotated.status_code == 303
    page = unit.get(rotated.headers["location"]).text
    assert "原地址即刻失效" in page
    new = re.search(r'id="feed-url" readonly value="([^"]+)"', page)
    assert new and new.group(1) != url.group(1)
    assert anonymous.get(path).status_code == 404
    assert anonymous.get(new.group(1).removeprefix(portal.settings.public_url)).status_code == 200
    [entry] = [e for e in _actions(portal, "calendar.token_rotated") if e.subject == f"calendar:{portal.unit}"]
    assert entry.detail["generation"] == 2 and entry.actor == portal.accounts["unit"] and token not in str(entry.detail)


@pytest.mark.parametrize("role", ["verifier", "unit"])
def test_the_new_pages_are_in_the_menu_of_their_role(portal: Portal, role: str) -> None:
    page = portal.login(role).get("/account").text
    expected = {"verifier": ['href="/verify"'], "unit": ['href="/orders"', 'href="/rectification"', 'href="/calendar"']}[role]
    assert all(link in page for link in expected)


def test_the_api_offers_the_same_actions_to_machines(own_portal: Portal) -> None:
    from kaohe.accounts.service import issue_api_token

    portal = own_portal
    p = portal.prefix
    assert _hand_in(portal.login("unit"), portal).status_code == 303
    issued = orders.issue(portal.app.state.web.services(), orders.IssueOrder(Actor("联席办", Role.ADMIN), portal.cycle, f"{p}A1",
                                                                             "补齐台账", dt.date(2019, 2, 15)))
    with session_scope(portal.settings.effective_database_url) as session:
        tokens = {role: issue_api_token(session, portal.accounts[role], label="接口", by="test", now=portal.clock.now())
                  for role in ("unit", "verifier")}
    unit = portal.client()
    unit.headers["Authorization"] = f"Bearer {tokens['unit']}"
    [listed] = unit.get("/api/orders").json()
    assert (listed["order_no"], listed["acknowledged_at"]) == (issued.order_no, None)
    ack = unit.post(f"/api/orders/{portal.cycle}/{issued.number}/acknowledge")
    assert ack.status_code == 200 and ack.json()["recorded"] is True, ack.text
    replied = unit.post(f"/api/orders/{portal.cycle}/{issued.number}/replies", json={"text": "已办理"})
    assert replied.status_code == 201 and replied.json()["replies"] == 1
    assert unit.post(f"/api/orders/{portal.cycle}/{issued.number + 99}/acknowledge").status_code == 404

    verifier = portal.client()
    verifier.headers["Authorization"] = f"Bearer {tokens['verifier']}"
    assert {u["unit"] for u in verifier.get("/api/verify").json()} == {f"{p}A1", f"{p}A2"}
    path = f"/api/verify/{portal.cycle}/{p}A1"
    assert verifier.get(path).json()["self_total"] == "104"
    bad = verifier.put(f"{path}/scores", json={"scores": [{"item": "基础分", "score": "abc"}, {"item": "资金投入加分", "score": "12"}]})
    assert bad.status_code == 400 and "应为数字" in bad.json()["detail"]
    saved = verifier.put(f"{path}/scores", json={"scores": [{"item": "基础分", "score": "85", "note": "扣7分"},
                                                            {"item": "资金投入加分", "score": "12"}]})
    assert saved.status_code == 200 and saved.json()["verified_total"] == "97" and saved.json()["signed_off"] is False
    signed = verifier.post(f"{path}/sign-off")
    assert signed.status_code == 200 and signed.json()["signed_off"] is True
    assert verifier.get(path).json()["signed_off"]["by"] == portal.accounts["verifier"]
    assert verifier.get(f"/api/verify/{portal.cycle}/{p}A3").status_code == 404
    browser = portal.login("verifier")  # a browser session must send its CSRF token in the header
    assert browser.post(f"/api/verify/{portal.cycle}/{p}A2/sign-off").status_code == 403
    token = csrf_of(browser, "/verify")
    answer = browser.post(f"/api/verify/{portal.cycle}/{p}A2/sign-off", headers={"X-CSRF-Token": token})
    assert answer.status_code == 400 and "未核实" in answer.json()["detail"]
