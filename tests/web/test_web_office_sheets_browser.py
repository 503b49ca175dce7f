"""The office's sheet uploads in the session's headless Chromium: a phase of special verification (a bad sheet is
refused problem by problem, a good one is recorded after the confirmation names the phase, and the page shows each
unit's score and what was queued) and the constraint-indicator what-if. Every page is screenshotted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import logged_in_page, shot
from web_support import Portal, add_ordos_cycle

pytestmark = pytest.mark.browser


def test_the_office_uploads_a_special_verification_sheet(sqlite_portal: Portal, browser: Any, artifacts: Path, tmp_path: Path) -> None:
    key, coordinator = add_ordos_cycle(sqlite_portal)
    p = sqlite_portal.prefix
    bad = tmp_path / "专项核查赋分表（有误）.csv"
    bad.write_text(f"单位代码,得分\n{p}DS,105\n{p}ZG,八十\n", encoding="utf-8")
    good = tmp_path / "专项核查赋分表.csv"
    good.write_text(f"单位代码,单位名称,得分,存在问题,改进建议\n{p}DS,东胜区委区政府,85.5,产业项目进度滞后；档案资料不全,加快项目建设\n"
                    f"{p}ZG,准格尔旗委旗政府,92,,\n", encoding="utf-8")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page = logged_in_page(browser, sqlite_portal, coordinator, f"/cycles/{key}")
    page.on("dialog", answer)
    page.click(f"a[href='/cycles/{key}/special']")
    page.wait_for_url("**/special")
    assert "尚未记录" in page.inner_text("tr[data-stage=special_verification_1]")
    assert "尚未开始" in page.inner_text("tr[data-stage=special_verification_2]")

    page.set_input_files("#score input[name=scores]", str(bad))
    page.click("#score button[type=submit]")
    page.wait_for_selector("p.error")
    assert page.locator("p.error").all_inner_texts()[:1] == [f"{bad.name}，第2行，字段 得分：得分 105 超出 0–100（百分制）"]
    assert page.locator("p.error").all_inner_texts()[1] == f"{bad.name}，第3行，字段 得分：得分 '八十' 不是数字（“八十”不是数值）"
    assert page.locator("#outcome").count() == 0
    shot(page, artifacts, "30-special-sheet-refused")

    page.select_option("#score select[name=stage]", "special_verification_1")
    page.set_input_files("#score input[name=scores]", str(good))
    page.click("#score button[type=submit]")
    page.wait_for_selector("#outcome")
    assert asked[-1] == "确认记录“专项核查（上半年）”的得分？被评分单位将立即收到即时反馈。"
    assert "“专项核查（上半年）”已记录 2 个单位的得分，即时反馈 2 条消息" in page.inner_text("p.notice")
    assert page.inner_text(f"#scored tr[data-unit={p}DS] td:nth-child(2)") == "85.5"
    assert "2. 档案资料不全" in page.inner_text(f"#scored tr[data-unit={p}DS]")
    assert "尚未评分：杭锦旗委旗政府" in page.inner_text("#not-yet-scored")
    assert "2 个单位（专项核查赋分表.csv）" in page.inner_text("tr[data-stage=special_verification_1]")
    shot(page, artifacts, "31-special-scores-recorded")


def test_the_office_tries_a_constraint_findings_sheet(sqlite_portal: Portal, browser: Any, artifacts: Path, tmp_path: Path) -> None:
    key, coordinator = add_ordos_cycle(sqlite_portal, "constraints")
    p = sqlite_portal.prefix
    sheet = tmp_path / "约束指标查实问题表.csv"
    sheet.write_text("单位代码,单位名称,类别,党风廉政建设责任制落实情况,资金使用违规违纪情况,扶贫领域作风建设情况\n"
                     f"{p}DS,东胜区委区政府,旗区,2,是,\n{p}ZG,准格尔旗委旗政府,旗区,0,0,0\n", encoding="utf-8")
    page = logged_in_page(browser, sqlite_portal, coordinator, f"/cycles/{key}")
    page.click(f"a[href='/cycles/{key}/constraints']")
    page.wait_for_url("**/constraints")
    page.set_input_files("#check input[name=sheet]", str(sheet))
    page.click("#check button[type=submit]")
    page.wait_for_selector("#deductions")
    assert page.inner_text(f"#deductions tr[data-unit={p}DS] td.deduction") == "3"
    assert page.inner_text(f"#deductions tr[data-unit={p}ZG] td.deduction") == "0"
    assert page.inner_text("#missing") == f"表中缺少：杭锦旗委旗政府（{p}HJ）"
    shot(page, artifacts, "32-constraints-what-if")
