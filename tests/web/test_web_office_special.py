"""The office records a phase of special verification (专项核查, 鄂尔多斯 第八条（三）) from the portal, as
``kaohe special score`` does: the page names what was recorded and queued for each unit (第十条 即时反馈), lists
every problem of a bad sheet by file, row and field with nothing recorded, and only the office may upload."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select
from web_support import PASSWORD, Portal, add_ordos_cycle, csrf_of, login

from kaohe.db import session_scope
from kaohe.models import AuditEntry, Cycle, OutboxMessage

SHEET = "单位代码,单位名称,得分,存在问题,改进建议\n{p}DS,东胜区委区政府,85.5,产业项目进度滞后；档案<b>资料</b>不全,加快项目建设\n"


@pytest.fixture(scope="module")
def ordos(portal: Portal) -> tuple[str, str]:
    """(cycle key, coordinator account) of an 鄂尔多斯 cycle beside the portal's cycle."""
    return add_ordos_cycle(portal)


@pytest.fixture(scope="module")
def office(portal: Portal, ordos: tuple[str, str]) -> Iterator[httpx.Client]:
    """The 鄂尔多斯 cycle's coordinator, logged in."""
    client = portal.client()
    assert login(client, ordos[1], PASSWORD).status_code == 303  # type: ignore[attr-defined]
    yield client


def _upload(client: httpx.Client, key: str, stage: str, name: str, body: str | None) -> httpx.Response:
    files = {"scores": (name, body.encode("utf-8"), "text/csv")} if body is not None else {"scores": ("", b"", "text/csv")}
    return client.post(f"/cycles/{key}/special/upload", data={"csrf_token": csrf_of(client, f"/cycles/{key}/special"), "stage": stage},
                       files=files, headers={"HX-Request": "true"})


def _errors(page: str) -> list[str]:
    return re.findall(r'<p class="error" role="alert">(.*?)</p>', page)


def _recorded(portal: Portal, key: str) -> tuple[int, int]:
    """(special feedback messages queued, scorings audited) of the cycle ``key``."""
    with session_scope(portal.settings.effective_database_url) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == key))
        messages = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.cycle_id == cycle_id, OutboxMessage.kind == "special_feedback"))
        scorings = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.cycle_id == cycle_id, AuditEntry.action == "special_verification.scored"))
    return int(messages or 0), int(scorings or 0)


def test_a_bad_sheet_names_each_problem_by_file_row_and_field_and_records_nothing(portal: Portal, ordos: tuple[str, str],
                                                                                office: httpx.Client) -> None:
    key, p = ordos[0], portal.prefix
    bad = _upload(office, key, "special_verification_1", "坏表.csv", f"单位代码,得分\n{p}DS,105\nXX,80\n{p}ZG,八十\n{p}ZG,\n")
    assert bad.status_code == 400, bad.text[:500]
    assert _errors(bad.text) == ["坏表.csv，第2行，字段 得分：得分 105 超出 0–100（百分制）", "坏表.csv，第3行，字段 单位代码：XX 不是本周期的被考核单位",
                                 "坏表.csv，第4行，字段 得分：得分 &#39;八十&#39; 不是数字（“八十”不是数值）", "坏表.csv，第5行，字段 得分：缺少得分"]
    assert 'id="outcome"' not in bad.text and _recorded(portal, key) == (0, 0)

    columns = _upload(office, key, "special_verification_1", "表头.csv", f"单位代码,得分,意见\n{p}DS,90,好\n")
    assert columns.status_code == 400 and "表头.csv，第1行，字段 意见：未知的列“意见”（第3列）" in columns.text
    missing = _upload(office, key, "special_verification_1", "", None)
    assert missing.status_code == 400 and "请选择专项核查评分表文件" in missing.text
    wrong = _upload(office, key, "annual_assessment", "表.csv", SHEET.format(p=p))
    assert wrong.status_code == 400 and "没有专项核查阶段 annual_assessment（可选：special_verification_1、special_verification_2）" in wrong.text
    early = _upload(office, key, "special_verification_2", "表.csv", SHEET.format(p=p))
    assert early.status_code == 400 and "“专项核查（下半年）”自 2019-07-01 00:00（北京时间）开始，尚未开始" in early.text
    assert 'value="special_verification_2" selected' in early.text  # the page keeps the phase chosen
    assert _recorded(portal, key) == (0, 0)


def test_the_office_records_a_phase_and_each_scored_unit_is_told_once(portal: Portal, ordos: tuple[str, str],
                                                                     office: httpx.Client) -> None:
    key, p = ordos[0], portal.prefix
    page = office.get(f"/cycles/{key}/special").text
    assert "专项核查（上半年）" in page and "专项核查（下半年）" in page and "尚未记录" in page
    assert f'href="/cycles/{key}/special"' in office.get(f"/cycles/{key}").text  # the board leads here

    first = _upload(office, key, "special_verification_1", "赋分表.csv", SHEET.format(p=p))
    assert first.status_code == 200, first.text[:800]
    assert "“专项核查（上半年）”已记录 1 个单位的得分，即时反馈 1 条消息" in first.text
    row = first.text.split(f'<tr data-unit="{p}DS">')[1].split("</tr>")[0]
    assert "东胜区委区政府" in row and "<td>85.5</td>" in row and "1. 产业项目进度滞后<br>2. 档案&lt;b&gt;资料&lt;/b&gt;不全" in row
    assert "1. 加快项目建设" in row
    waiting = first.text.split('id="not-yet-scored"')[1].split("</p>")[0]
    assert "尚未评分：" in waiting and f"准格尔旗委旗政府（{p}ZG）" in waiting and f"杭锦旗委旗政府（{p}HJ）" in waiting and "东胜" not in waiting
    assert _recorded(portal, key) == (1, 1)
    phase = office.get(f"/cycles/{key}/special").text.split('<tr data-stage="special_verification_1">')[1].split("</tr>")[0]
    assert f"{ordos[1]}：1 个单位（赋分表.csv）" in phase and "尚未评分：" in phase
    assert "准格尔旗委旗政府" in phase and "杭锦旗委旗政府" in phase and "东胜" not in phase

    again = _upload(office, key, "special_verification_1", "赋分表（重交）.csv", SHEET.format(p=p))
    assert "即时反馈 0 条消息" in again.text and _recorded(portal, key) == (1, 2)
    rest = SHEET.format(p=p).replace("85.5", "86") + f"{p}ZG,,92,,\n{p}HJ,,78,村级台账缺失,\n"
    whole = _upload(office, key, "special_verification_1", "全部.csv", rest)
    assert f"即时反馈 3 条消息（更正：{p}DS）" in whole.text and "全部被考核单位均已评分并反馈" in whole.text
    assert "已发更正" in whole.text.split(f'<tr data-unit="{p}DS">')[1].split("</tr>")[0] and _recorded(portal, key) == (4, 3)


def test_only_the_office_of_the_cycle_uploads(portal: Portal, ordos: tuple[str, str], clients: dict[str, httpx.Client]) -> None:
    key = ordos[0]
    page = f"/cycles/{key}/special"
    admin = clients["admin"].get(page)
    assert admin.status_code == 200 and 'id="score"' in admin.text  # the admin oversees every cycle
    lead = clients["lead_assessor"].get(page)
    assert lead.status_code == 200 and "专项核查（上半年）" in lead.text and 'id="score"' not in lead.text
    refused = clients["lead_assessor"].post(f"{page}/upload", data={"csrf_token": csrf_of(clients["lead_assessor"], page)},
                                            files={"scores": ("表.csv", b"x")})
    assert refused.status_code == 403 and "无权" in refused.text
    unit = clients["unit"]
    assert unit.get(page).status_code == 403 and unit.post(f"{page}/upload", files={"scores": ("表.csv", b"x")}).status_code == 403
    other = clients["coordinator"]  # a coordinator of another cycle: the cycle does not exist for it
    assert other.get(page).status_code == 404
    token = csrf_of(other, f"/cycles/{portal.cycle}/special")
    assert other.post(f"{page}/upload", data={"csrf_token": token, "stage": "special_verification_1"},
                      files={"scores": ("表.csv", SHEET.format(p=portal.prefix).encode())}).status_code == 404
    anonymous = portal.client().get(page)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    mile = other.get(f"/cycles/{portal.cycle}/special")
    assert mile.status_code == 200 and "本周期的考核方案没有专项核查阶段" in mile.text and 'id="score"' not in mile.text


def test_the_api_records_a_phase_for_a_token_holder(portal: Portal) -> None:
    from kaohe.accounts.service import issue_api_token

    (key, name), p = add_ordos_cycle(portal, "api"), portal.prefix
    with session_scope(portal.settings.effective_database_url) as session:
        token = issue_api_token(session, name, label="省数据平台", by="test", now=portal.clock.now())
    machine = httpx.Client(base_url=portal.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    api = f"/api/cycles/{key}/special/special_verification_1/scores"
    before = _recorded(portal, key)
    bad = machine.post(api, files={"scores": ("坏表.csv", f"单位代码,得分\n{p}DS,105\nXX,80\n".encode())})
    assert bad.status_code == 400 and bad.json()["problems"] == ["坏表.csv，第2行，字段 得分：得分 105 超出 0–100（百分制）",
                                                                 "坏表.csv，第3行，字段 单位代码：XX 不是本周期的被考核单位"]
    assert _recorded(portal, key) == before
    done = machine.post(api, files={"scores": ("赋分表.csv", SHEET.format(p=p).encode())})
    assert done.status_code == 201, done.text
    assert (done.json()["messages"], done.json()["scored"][0]["score"], sorted(done.json()["not_yet_scored"])) == (1, "85.5", [f"{p}HJ", f"{p}ZG"])
    browser = portal.client()
    assert login(browser, name, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    refused = browser.post(api, files={"scores": ("赋分表.csv", b"x")})
    assert refused.status_code == 403 and "安全令牌" in refused.json()["detail"]  # a browser session must send X-CSRF-Token
    assert portal.client().post(api, files={"scores": ("赋分表.csv", b"x")}).status_code == 401
