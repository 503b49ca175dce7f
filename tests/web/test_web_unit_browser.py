"""The verifier's and the unit's pages in the session's headless Chromium, on one portal served once for the
module: the verifier enters scores, sees the differences and signs off; a unit signs for a supervision order and
replies, finds its calendar subscription address, and uploads the evidence of a rectification item to its receipt.
Every page is screenshotted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import logged_in_page, shot
from web_support import Portal, bj

pytestmark = pytest.mark.browser


def test_the_verifier_enters_scores_sees_the_differences_and_signs_off(sqlite_portal: Portal, browser: Any, artifacts: Path) -> None:
    from test_web_unit_portal import _hand_in

    assert _hand_in(sqlite_portal.login("unit"), sqlite_portal).status_code == 303
    page = logged_in_page(browser, sqlite_portal, sqlite_portal.accounts["verifier"], "/verify", accept_dialogs=True)
    assert f"{sqlite_portal.prefix}A1" in page.inner_text("#verify-units") and f"{sqlite_portal.prefix}A3" not in page.inner_text("#verify-units")
    shot(page, artifacts, "20-verifier-units")
    page.click(f"#verify-units tr[data-unit='{sqlite_portal.prefix}A1'] a")
    page.wait_for_url(f"**/verify/{sqlite_portal.cycle}/{sqlite_portal.prefix}A1")
    page.fill("input[aria-label='基础分核查分']", "85")
    page.fill("input[aria-label='基础分核查说明']", "入户走访台账不全，扣7分")
    page.fill("input[aria-label='资金投入加分核查分']", "12")
    page.click("#scores-form button[value=save]")
    page.wait_for_selector("text=核查评分已保存")
    assert "-7" in page.inner_text("tr[data-item=base]") and page.inner_text("#verified-total") == "97"
    shot(page, artifacts, "21-verifier-differences")
    page.click("#sign-form button")
    page.wait_for_selector("#signed")
    assert "核查总分 97" in page.inner_text("#signed") and page.locator("input[name=score]").count() == 0
    shot(page, artifacts, "22-verifier-signed-off")


def test_the_unit_signs_for_an_order_replies_and_finds_its_calendar(sqlite_portal: Portal, browser: Any, artifacts: Path) -> None:
    from kaohe.services import orders
    from kaohe.services.actors import Actor, Role

    issued = orders.issue(sqlite_portal.app.state.web.services(), orders.IssueOrder(Actor("联席办", Role.ADMIN), sqlite_portal.cycle, sqlite_portal.unit,
                                                                           "入户走访台账不全，限期补齐", dt.date(2019, 2, 15)))
    page = logged_in_page(browser, sqlite_portal, sqlite_portal.accounts["unit"], "/orders", accept_dialogs=True)
    assert issued.order_no in page.inner_text("#orders") and "未签收" in page.inner_text("#orders")
    shot(page, artifacts, "23-unit-orders")
    page.click(f"#orders tr[data-order='{sqlite_portal.cycle}/{issued.number}'] a")
    page.wait_for_url(f"**/orders/{sqlite_portal.cycle}/{issued.number}")
    page.click("#acknowledge-form button")
    page.wait_for_selector("text=已签收")
    assert sqlite_portal.accounts["unit"] in page.inner_text("#acknowledged")
    page.fill("textarea[name=text]", "已组织补齐入户走访台账，2月10日前上传佐证材料。")
    page.click("#reply-form button")
    page.wait_for_selector("text=回复已提交")
    assert "已组织补齐入户走访台账" in page.inner_text("#replies")
    shot(page, artifacts, "24-unit-order-signed-and-replied")

    page.goto(f"{sqlite_portal.base_url}/calendar")
    url = page.input_value("#feed-url")
    assert re.fullmatch(rf"{re.escape(sqlite_portal.settings.public_url)}/ics/{sqlite_portal.unit}/[\w-]+\.ics", url)
    shot(page, artifacts, "25-unit-calendar")


def test_the_unit_uploads_the_evidence_of_a_rectification_item(sqlite_portal: Portal, browser: Any, artifacts: Path, tmp_path: Path) -> None:
    from test_web_results import publish
    from test_web_unit_portal import unit_account

    publish(sqlite_portal)
    sqlite_portal.clock.advance_to(bj(2019, 3, 14))
    unit_account(sqlite_portal, f"{sqlite_portal.prefix}A2")
    page = logged_in_page(browser, sqlite_portal, f"{sqlite_portal.prefix}-{sqlite_portal.prefix.lower()}a2", "/rectification", accept_dialogs=True)
    assert "待整改" in page.inner_text("main")
    shot(page, artifacts, "26-unit-rectification")
    evidence = tmp_path / "入户走访台账（补齐）.pdf"
    evidence.write_bytes(b"%PDF-1.4\n" + "入户走访台账".encode() * 500)
    page.set_input_files("tr[data-item='1'] input[name=evidence]", str(evidence))
    page.click("tr[data-item='1'] button")
    page.wait_for_url(re.compile(r".*/receipts/.*/rectification/\d+$"))
    receipt = page.inner_text("main")
    import hashlib

    assert "第1项整改佐证材料" in receipt and hashlib.sha256(evidence.read_bytes()).hexdigest() in receipt
    shot(page, artifacts, "27-unit-rectification-receipt")
    page.goto(f"{sqlite_portal.base_url}/rectification")
    assert "已报送，待验收" in page.inner_text("tr[data-item='1']")
