"""The constraint-indicator what-if (约束指标, 鄂尔多斯 第六条（六）; ``kaohe constraints``) from the portal: an overseer
uploads a findings sheet and sees each unit's deduction by the cycle's scheme, checked against the cycle's roster;
a bad sheet is answered problem by problem; nothing is stored."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select
from web_support import PASSWORD, Portal, add_ordos_cycle, csrf_of, login

from kaohe.db import session_scope
from kaohe.models import AuditEntry, Cycle, OutboxMessage

HEADER = "单位代码,单位名称,类别,党风廉政建设责任制落实情况,资金使用违规违纪情况,扶贫领域作风建设情况\n"


@pytest.fixture(scope="module")
def ordos(portal: Portal) -> tuple[str, str]:
    """(cycle key, coordinator account) of an 鄂尔多斯 cycle (a scheme with constraint indicators) beside the portal's."""
    return add_ordos_cycle(portal, "constraints")


@pytest.fixture(scope="module")
def office(portal: Portal, ordos: tuple[str, str]) -> Iterator[httpx.Client]:
    """The 鄂尔多斯 cycle's coordinator, logged in."""
    client = portal.client()
    assert login(client, ordos[1], PASSWORD).status_code == 303  # type: ignore[attr-defined]
    yield client


def _check(client: httpx.Client, key: str, name: str, body: str) -> httpx.Response:
    token = csrf_of(client, f"/cycles/{key}/constraints")
    return client.post(f"/cycles/{key}/constraints/upload", data={"csrf_token": token}, files={"sheet": (name, body.encode("utf-8"))},
                       headers={"HX-Request": "true"})


def _stored(portal: Portal, key: str) -> tuple[int, int]:
    """(audit entries, outbox messages) of the cycle ``key``."""
    with session_scope(portal.settings.effective_database_url) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == key))
        return (int(session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.cycle_id == cycle_id)) or 0),
                int(session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.cycle_id == cycle_id)) or 0))


def _cells(page: str, unit: str) -> list[str]:
    row = page.split(f'<tr data-unit="{unit}">')[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]


def test_each_units_deduction_is_shown_and_checked_against_the_roster(portal: Portal, ordos: tuple[str, str], office: httpx.Client) -> None:
    key, p = ordos[0], portal.prefix
    page = office.get(f"/cycles/{key}/constraints").text
    assert "约束指标（第六条（六）：党风廉政建设责任制落实情况、资金使用违规违纪情况、扶贫领域作风建设情况）只考核旗区；每查实一个问题扣1分" in page
    assert f'href="/cycles/{key}/constraints"' in office.get(f"/cycles/{key}").text  # the board leads here
    before = _stored(portal, key)
    sheet = (HEADER + f"{p}DS,东胜区委区政府,旗区,2,是,0\n{p}ZG,准格尔<b>旗</b>,市直部门,0,否,\n"
             f"XX{p},某旗,旗区,1,0,0\n")
    checked = _check(office, key, "约束指标查实问题表.csv", sheet)
    assert checked.status_code == 200, checked.text[:800]
    assert _cells(checked.text, f"{p}DS") == [f"{p}DS", "东胜区委区政府", "旗区", "2", "1", "0", "3", "一致"]
    assert _cells(checked.text, f"{p}ZG") == [f"{p}ZG", "准格尔&lt;b&gt;旗&lt;/b&gt;", "市直部门", "0", "0", "0", "0", "名单中的类别为“旗区”"]
    assert _cells(checked.text, f"XX{p}")[-2:] == ["1", "不是本周期的被考核单位"]
    assert f"表中缺少：杭锦旗委旗政府（{p}HJ）" in checked.text
    assert _stored(portal, key) == before  # a what-if: nothing recorded, nobody told


def test_a_bad_sheet_names_each_problem_and_a_scheme_without_constraints_has_no_form(portal: Portal, ordos: tuple[str, str],
                                                                                   office: httpx.Client,
                                                                                   clients: dict[str, httpx.Client]) -> None:
    key, p = ordos[0], portal.prefix
    bad = _check(office, key, "有误.csv", HEADER + f"{p}DS,东胜区委区政府,旗区,-1,0,0\n{p}OF,领导小组办公室,机关,1,0,0\n,,旗区,0,0,0\n")
    assert bad.status_code == 400 and 'id="checked"' not in bad.text
    errors = re.findall(r'<p class="error" role="alert">(.*?)</p>', bad.text)
    assert errors[0] == "有误.csv，第2行，字段 党风廉政建设责任制落实情况：查实问题数 -1 应为非负整数"
    assert errors[1].startswith("有误.csv，第3行，字段 类别：类别“机关”不考核约束指标")
    assert "有误.csv，第4行，字段 单位代码：单位代码为空" in errors
    columns = _check(office, key, "缺列.csv", f"单位代码,单位名称,类别\n{p}DS,东胜区委区政府,旗区\n")
    assert columns.status_code == 400 and "缺列.csv" in columns.text and "党风廉政建设责任制落实情况" in columns.text

    coordinator = clients["coordinator"]  # the 弥勒 cycle's scheme has no constraint indicators
    mile = coordinator.get(f"/cycles/{portal.cycle}/constraints")
    assert mile.status_code == 200 and "本周期的考核方案没有约束指标" in mile.text and 'id="check"' not in mile.text
    refused = _check(coordinator, portal.cycle, "表.csv", HEADER)
    assert refused.status_code == 400 and "没有约束指标" in refused.text
    assert coordinator.get(f"/cycles/{key}/constraints").status_code == 404  # not its cycle
    assert clients["leader"].get(f"/cycles/{portal.cycle}/constraints").status_code == 200
    assert clients["unit"].get(f"/cycles/{key}/constraints").status_code == 403
