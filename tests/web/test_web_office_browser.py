"""The office's actions in the session's headless Chromium, on one portal served once for the module: the board's
timeline, extending a deadline (a dismissed confirmation changes nothing), closing a stage's submissions, issuing
a supervision order, publishing the seed hash and drawing, and downloading the sample record, the report and the
ranking. Every page is screenshotted."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from browser_support import logged_in_page, shot
from openpyxl import load_workbook
from web_support import Portal, bj, make_cascade

pytestmark = pytest.mark.browser


def _confirming(page: Any, answers: list[bool]) -> list[str]:
    """Answer the page's next confirmations with ``answers`` (in order; the page's earlier answerer is replaced);
    returns the questions asked."""
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept() if answers.pop(0) else dialog.dismiss()

    previous = getattr(page, "_kaohe_answer", None)
    if previous is not None:
        page.remove_listener("dialog", previous)
    page._kaohe_answer = answer
    page.on("dialog", answer)
    return asked


def test_the_coordinator_extends_closes_and_issues_an_order(sqlite_portal: Portal, browser: Any, artifacts: Path) -> None:
    cycle = sqlite_portal.cycle
    page = logged_in_page(browser, sqlite_portal, sqlite_portal.accounts["coordinator"], f"/cycles/{cycle}")
    assert page.locator("svg#timeline g#today").count() == 1
    assert "春节假期" in page.inner_html("svg#timeline")
    shot(page, artifacts, "08-board-timeline")

    page.click(f"a[href='/cycles/{cycle}/stages/self_check']")
    page.wait_for_url("**/stages/self_check")
    asked = _confirming(page, [False, True])
    page.fill("#extend input[name=to]", "2019-01-30")
    page.fill("#extend input[name=reason]", "春节前集中报送")
    page.click("#extend button[type=submit]")
    assert asked == ["确认将“自查自评”的截止日期调整为 2019-01-30（全部单位）？相关单位将收到通知，提醒按新日期重排。"]
    assert page.inner_text("#stage-due") == "2019-01-23"  # dismissed: nothing sent
    page.click("#extend button[type=submit]")
    page.wait_for_selector("text=已将截止日期延至 2019-01-30")
    assert page.inner_text("#stage-due") == "2019-01-30" and len(asked) == 2
    shot(page, artifacts, "09-deadline-extended")

    page.goto(f"{sqlite_portal.base_url}/cycles/{cycle}/stages/submission")
    _confirming(page, [True])
    page.fill("#close input[name=reason]", "材料已汇总上报")
    page.click("#close button[type=submit]")
    page.wait_for_selector("text=此后报送一律不予接收")
    assert "已截止收件" in page.inner_text("#closure") and page.locator("#close").count() == 0
    shot(page, artifacts, "10-submissions-closed")

    page.goto(f"{sqlite_portal.base_url}/cycles/{cycle}/orders")
    asked = _confirming(page, [True])
    page.select_option("#issue select[name=unit]", f"{sqlite_portal.prefix}A2")
    page.fill("#issue textarea[name=issue]", "入户走访记录不全，限期补齐")
    page.fill("#issue input[name=due]", "2019-02-15")
    page.click("#issue button[type=submit]")
    page.wait_for_selector("text=已下发督办单")
    assert "入户走访记录不全，限期补齐" in page.inner_text("#orders")
    assert asked and f"向 弥勒市乙局（{sqlite_portal.prefix}A2） 下发督办单（办结时限 2019-02-15）" in asked[0]
    shot(page, artifacts, "11-order-issued")


def test_the_lead_assessor_publishes_the_seed_hash_then_draws(sqlite_portal: Portal, browser: Any, artifacts: Path) -> None:
    from kaohe.sampling import verify

    stage = f"/cycles/{sqlite_portal.cycle}/stages/spot_check"
    page = logged_in_page(browser, sqlite_portal, sqlite_portal.accounts["lead_assessor"], stage)
    assert page.locator("#sampling button", has_text="抽取").count() == 0  # no draw before the seed hash is out
    asked = _confirming(page, [True, True])
    page.fill("#sampling textarea[name=exclusions]", f"{sqlite_portal.prefix}A3:已列入省级抽查")
    page.click("#sampling button[type=submit]")
    page.wait_for_selector("#seed-hash")
    seed_hash = page.inner_text("#seed-hash")
    assert len(seed_hash) == 64 and "已列入省级抽查" in page.inner_text("#seed")
    shot(page, artifacts, "12-seed-hash-published")

    page.click("#sampling button[type=submit]")
    page.wait_for_selector("#drawn")
    assert "复核通过" in page.inner_text("#seed") and len(asked) == 2 and "不可重抽" in asked[1]
    shot(page, artifacts, "13-sample-drawn")
    with page.expect_download() as download:
        page.click("#sample-record")
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert record["seed_hash"] == seed_hash and verify(record, expected_seed_hash=seed_hash).ok


def test_the_leader_downloads_the_report_and_the_ranking(sqlite_portal: Portal, browser: Any, artifacts: Path) -> None:
    from test_web_results import publish

    sqlite_portal.clock.advance_to(bj(2019, 3, 8))
    publish(sqlite_portal)
    page = logged_in_page(browser, sqlite_portal, sqlite_portal.accounts["leader"], f"/cycles/{sqlite_portal.cycle}/results")
    shot(page, artifacts, "14-results-downloads")
    with page.expect_download() as report:
        page.click("#doc-report-pdf")
    assert Path(report.value.path()).read_bytes()[:5] == b"%PDF-" and report.value.suggested_filename.endswith("考核报告.pdf")
    with page.expect_download() as ranking:
        page.click("#doc-ranking-xlsx")
    rows = list(load_workbook(io.BytesIO(Path(ranking.value.path()).read_bytes())).active.iter_rows(values_only=True))
    assert any("弥勒市甲局" in [str(c) for c in row] for row in rows)


def test_the_admin_sees_the_cycle_tree_with_each_levels_dates(sqlite_portal: Portal, browser: Any, artifacts: Path, sqlite_url: str) -> None:
    keys = make_cascade(sqlite_url)
    page = logged_in_page(browser, sqlite_portal, sqlite_portal.accounts["admin"], "/cycles")
    page.click(f"a[href='/cycles/{keys['SC-C08']}/tree']")
    page.wait_for_url("**/tree")
    assert [page.locator(f"#tree tr[data-cycle='{key}']").count() > 0 for key in keys.values()] == [True, True, True]
    shot(page, artifacts, "15-cycle-tree")
