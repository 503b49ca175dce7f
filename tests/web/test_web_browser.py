"""The portal in a real headless Chromium: a unit follows the link in its real overdue reminder e-mail
(sent by advance + dispatch to the local SMTP receiver) and its signed task link, logs in, uploads its
self-report and gets the receipt;
the coordinator sees it leave the overdue list and exports the list; the leader approves the results,
the coordinator sends them and the unit reads its letter. Every page is screenshotted."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from browser_support import log_in, shot
from openpyxl import load_workbook
from web_server import free_port, serve
from web_support import Portal, bj, make_portal

from kaohe.settings import get_settings
from kaohe.testing.receivers import LocalSmtpReceiver

pytestmark = pytest.mark.browser


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Portal, LocalSmtpReceiver]]:
    """A portal on SQLite at 2019-01-24 10:00 (self_check overdue since the 23rd), served on the port its
    public URL names, and the local SMTP receiver the reminders go to."""
    from kaohe.db import upgrade

    upgrade(sqlite_url)
    port = free_port()
    portal = make_portal(sqlite_url, tmp_path / "home", now=bj(2019, 1, 24), public_url=f"http://127.0.0.1:{port}")
    with LocalSmtpReceiver() as smtp, serve(portal.app, port) as base_url:
        portal.base_url = base_url
        for name, value in {"DATABASE_URL": sqlite_url, "HOME": str(portal.settings.home), "PUBLIC_URL": portal.settings.public_url,
                            "SECRET_KEY": "web-test-secret", "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port)}.items():
            monkeypatch.setenv(f"KAOHE_{name}", value)
        get_settings.cache_clear()
        yield portal, smtp
    get_settings.cache_clear()


def _remind(portal: Portal) -> None:
    """Advance the cycle to the portal's now and send what it queued, as the advance flow does."""
    from kaohe.services.actors import system
    from kaohe.services.advance import AdvanceCycle, advance_cycle
    from kaohe.services.context import build_context
    from kaohe.tasks.dispatch import dispatch_outbox

    context = build_context(get_settings(), clock=portal.clock)
    advanced = advance_cycle(context, AdvanceCycle(system("test:advance"), portal.cycle, portal.clock.now()))
    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API owns this thread's event loop
        pool.submit(asyncio.run, dispatch_outbox.fn(advanced.cycle_id, portal.clock.now())).result()


def test_the_reminder_email_links_to_the_units_task_page(live: tuple[Portal, LocalSmtpReceiver], browser: Any, artifacts: Path) -> None:
    portal, smtp = live
    _remind(portal)
    mail = next(m for m in smtp.mails if "a1@example.org" in m.rcpt_tos)
    text = mail.message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/t/[A-Za-z0-9_.\-]+", text)
    assert link, f"no task link in the reminder e-mail:\n{text}"
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(link.group(0))
    log_in(page, portal.accounts["unit"])
    assert page.url.endswith(f"/tasks/{portal.cycle}/self_check")
    shot(page, artifacts, "00-task-from-reminder-email")
    from sqlalchemy import select

    from kaohe.db import session_scope
    from kaohe.models import DeliveryEvent

    with session_scope(portal.settings.effective_database_url) as session:
        events = list(session.scalars(select(DeliveryEvent).where(DeliveryEvent.event == "opened")))
    assert [(e.actor, e.stage_key) for e in events] == [(portal.accounts["unit"], "self_check")]


def test_a_unit_follows_its_task_link_uploads_and_the_office_sees_it(live: tuple[Portal, LocalSmtpReceiver], browser: Any,
                                                                    artifacts: Path, tmp_path: Path) -> None:
    from kaohe.links import sign_task_link

    portal, _ = live
    _remind(portal)  # the overdue notices go out (e-mail to the local receiver): the list shows them as the last reminder
    link = sign_task_link(portal.settings.public_url, "web-test-secret", cycle=portal.cycle, unit=portal.unit, stage="self_check",
                          expires=bj(2019, 2, 23))
    unit = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    unit.goto(link)
    assert "/login" in unit.url
    shot(unit, artifacts, "01-login-from-reminder")
    log_in(unit, portal.accounts["unit"])
    assert unit.url.endswith(f"/tasks/{portal.cycle}/self_check")
    assert "自查报告、自评表（签字盖章）" in unit.inner_text("main")
    shot(unit, artifacts, "02-task")

    report = tmp_path / "弥勒市甲局自查报告.pdf"
    report.write_bytes(b"%PDF-1.4\n" + "弥勒市甲局2018年度自查报告".encode() * 2000)
    unit.set_input_files("input[name=report]", str(report))
    unit.click("form[enctype] button[type=submit]")
    unit.wait_for_url(re.compile(r".*/receipts/.*/self_check/1$"))
    receipt = unit.inner_text("main")
    import hashlib

    assert "材料报送回执" in receipt and hashlib.sha256(report.read_bytes()).hexdigest() in receipt
    assert "弥勒市甲局自查报告.pdf" in receipt and "逾期" in receipt
    shot(unit, artifacts, "03-receipt")

    office = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    office.goto(f"{portal.base_url}/cycles/{portal.cycle}/overdue")
    log_in(office, portal.accounts["coordinator"])
    office.select_option("select[name=stage]", "self_check")  # htmx swaps the rows in place
    office.wait_for_url(re.compile(r".*/overdue\?stage=self_check.*"))  # htmx pushes the filter into the address once swapped
    office.wait_for_function("document.querySelector('#export').getAttribute('href').includes('stage=self_check')")
    rows = office.locator("#overdue-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.unit)")
    assert sorted(rows) == [f"{portal.prefix}A2", f"{portal.prefix}A3"]
    assert "邮件 · 已发送" in office.inner_text("#overdue-table")
    assert "/cycles/" in office.url and "stage=self_check" in office.url
    shot(office, artifacts, "04-overdue-list")
    with office.expect_download() as download:
        office.click("#export")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    exported = [r[0] for r in list(sheet.iter_rows(values_only=True))[2:]]
    assert sorted(exported) == sorted(rows)

    office.goto(f"{portal.base_url}/cycles/{portal.cycle}")
    assert "自查自评" in office.inner_text("main")
    shot(office, artifacts, "05-board")


def test_the_leader_approves_and_the_unit_reads_its_letter(live: tuple[Portal, LocalSmtpReceiver], browser: Any, artifacts: Path) -> None:
    from test_web_results import publish

    portal, _ = live
    portal.clock.advance_to(bj(2019, 3, 8))
    publish(portal)
    context = browser.new_context(locale="zh-CN")
    leader = context.new_page()
    leader.on("dialog", lambda dialog: dialog.accept())
    leader.goto(f"{portal.base_url}/cycles/{portal.cycle}/results")
    log_in(leader, portal.accounts["leader"])
    while leader.locator("form[action$='/results/approve'] button").count():
        leader.click("form[action$='/results/approve'] button")
        leader.wait_for_load_state()
    assert "待审定" not in leader.inner_text("#approval")
    shot(leader, artifacts, "06-approved")

    office = browser.new_context(locale="zh-CN").new_page()
    office.on("dialog", lambda dialog: dialog.accept())
    office.goto(f"{portal.base_url}/cycles/{portal.cycle}/results")
    log_in(office, portal.accounts["coordinator"])
    office.click("form[action$='/results/send'] button")
    office.wait_for_selector("text=已向各单位发送第1版结果")

    unit = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    unit.goto(f"{portal.base_url}/results")
    log_in(unit, portal.accounts["unit"])
    unit.goto(f"{portal.base_url}/results")
    assert "95" in unit.inner_text("main")
    shot(unit, artifacts, "07-my-results")
    with unit.expect_download() as download:
        unit.click(f"#letter-{portal.cycle}")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
