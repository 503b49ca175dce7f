"""The verifier's and the unit's pages in the session's headless Chromium, on one portal served once for the
module: the verifier enters scores, sees the differences and signs off; a unit signs for a supervision order and
replies, finds its calendar subscription address, and uploads the evidence of a rectification item to its receipt.
Every page is screenshotted."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_server import serve
from web_support import PASSWORD, Portal, bj, make_portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk(sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    """One portal on SQLite at 2019-01-25 10:00 for the module's steps (in file order), served once."""
    portal = make_portal(sqlite_url, tmp_path_factory.mktemp("desk"), now=bj(2019, 1, 25))
    with serve(portal.app) as base_url:
        portal.base_url = base_url
        yield portal


def _page(browser: Any, portal: Portal, name: str, path: str) -> Any:
    page = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{portal.base_url}{path}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


def _shot(page: Any, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_the_verifier_enters_scores_sees_the_differences_and_signs_off(desk: Portal, browser: Any, artifacts: Path) -> None:
    from test_web_unit_portal import _hand_in

    assert _hand_in(desk.login("unit"), desk).status_code == 303
    page = _page(browser, desk, desk.accounts["verifier"], "/verify")
    assert f"{desk.prefix}A1" in page.inner_text("#verify-units") and f"{desk.prefix}A3" not in page.inner_text("#verify-units")
    _shot(page, artifacts, "20-verifier-units")
    page.click(f"#verify-units tr[data-unit='{desk.prefix}A1'] a")
    page.wait_for_url(f"**/verify/{desk.cycle}/{desk.prefix}A1")
    page.fill("input[aria-label='基础分核查分']", "85")
    page.fill("input[aria-label='基础分核查说明']", "入户走访台账不全，扣7分")
    page.fill("input[aria-label='资金投入加分核查分']", "12")
    page.click("#scores-form button[value=save]")
    page.wait_for_selector("text=核查评分已保存")
    assert "-7" in page.inner_text("tr[data-item=base]") and page.inner_text("#verified-total") == "97"
    _shot(page, artifacts, "21-verifier-differences")
    page.click("#sign-form button")
    page.wait_for_selector("#signed")
    assert "核查总分 97" in page.inner_text("#signed") and page.locator("input[name=score]").count() == 0
    _shot(page, artifacts, "22-verifier-signed-off")


def test_the_unit_signs_for_an_order_replies_and_finds_its_calendar(desk: Portal, browser: Any, artifacts: Path) -> None:
    from kaohe.services import orders
    from kaohe.services.actors import Actor, Role

    issued = orders.issue(desk.app.state.web.services(), orders.IssueOrder(Actor("联席办", Role.ADMIN), desk.cycle, desk.unit,
                                                                           "入户走访台账不全，限期补齐", dt.date(2019, 2, 15)))
    page = _page(browser, desk, desk.accounts["unit"], "/orders")
    assert issued.order_no in page.inner_text("#orders") and "未签收" in page.inner_text("#orders")
    _shot(page, artifacts, "23-unit-orders")
    page.click(f"#orders tr[data-order='{desk.cycle}/{issued.number}'] a")
    page.wait_for_url(f"**/orders/{desk.cycle}/{issued.number}")
    page.click("#acknowledge-form button")
    page.wait_for_selector("text=已签收")
    assert desk.accounts["unit"] in page.inner_text("#acknowledged")
    page.fill("textarea[name=text]", "已组织补齐入户走访台账，2月10日前上传佐证材料。")
    page.click("#reply-form button")
    page.wait_for_selector("text=回复已提交")
    assert "已组织补齐入户走访台账" in page.inner_text("#replies")
    _shot(page, artifacts, "24-unit-order-signed-and-replied")

    page.goto(f"{desk.base_url}/calendar")
    url = page.input_value("#feed-url")
    assert re.fullmatch(rf"{re.escape(desk.settings.public_url)}/ics/{desk.unit}/[\w-]+\.ics", url)
    _shot(page, artifacts, "25-unit-calendar")


def test_the_unit_uploads_the_evidence_of_a_rectification_item(desk: Portal, browser: Any, artifacts: Path, tmp_path: Path) -> None:
    from test_web_results import publish
    from test_web_unit_portal import unit_account

    publish(desk)
    desk.clock.advance_to(bj(2019, 3, 14))
    unit_account(desk, f"{desk.prefix}A2")
    page = _page(browser, desk, f"{desk.prefix}-{desk.prefix.lower()}a2", "/rectification")
    assert "待整改" in page.inner_text("main")
    _shot(page, artifacts, "26-unit-rectification")
    evidence = tmp_path / "入户走访台账（补齐）.pdf"
    evidence.write_bytes(b"%PDF-1.4\n" + "入户走访台账".encode() * 500)
    page.set_input_files("tr[data-item='1'] input[name=evidence]", str(evidence))
    page.click("tr[data-item='1'] button")
    page.wait_for_url(re.compile(r".*/receipts/.*/rectification/\d+$"))
    receipt = page.inner_text("main")
    import hashlib

    assert "第1项整改佐证材料" in receipt and hashlib.sha256(evidence.read_bytes()).hexdigest() in receipt
    _shot(page, artifacts, "27-unit-rectification-receipt")
    page.goto(f"{desk.base_url}/rectification")
    assert "已报送，待验收" in page.inner_text("tr[data-item='1']")
