"""Results reach units only after the leader approves them: the approval steps in order, then the
coordinator sends them, then a unit reads its result and downloads its own letter (and no other)."""

from __future__ import annotations

from web_support import Portal, bj, csrf_of

from kaohe.clock import BEIJING
from kaohe.services import local_operator
from kaohe.services.aggregation import Aggregate, aggregate


def publish(portal: Portal) -> None:
    """Score the portal's cycle from a sheet and publish version 1 (letters written, nothing sent)."""
    p = portal.prefix
    sheet = portal.settings.home / "scores.csv"
    sheet.write_text("单位代码,单位名称,分组,分组类型,基础分,资金投入加分,存在问题,改进建议\n"
                     f"{p}A1,弥勒市甲局,弥阳镇,贫困乡镇,92,3,,\n"
                     f"{p}A2,弥勒市乙局,弥阳镇,贫困乡镇,61,0,入户走访记录不全,\n"
                     f"{p}A3,弥勒市丙公司,非公企业,,86,5,,\n", encoding="utf-8")
    aggregate(portal.app.state.web.services(), Aggregate(local_operator("联席办"), portal.cycle, sheet, at=bj(2019, 3, 7, 18)))


def test_the_leader_approves_then_the_coordinator_sends_then_the_unit_reads_its_letter(own_portal: Portal) -> None:
    portal = own_portal
    publish(portal)
    leader, coordinator, unit = portal.login("leader"), portal.login("coordinator"), portal.login("unit")
    results = f"/cycles/{portal.cycle}/results"

    assert "结果尚未发布" in unit.get("/results").text
    assert unit.get(f"/results/{portal.cycle}/letter").status_code == 404
    early = coordinator.post(f"{results}/send", data={"csrf_token": csrf_of(coordinator, results)})
    assert early.status_code == 400 and "暂不通知各单位：尚待" in early.text

    page = leader.get(results).text
    assert "待审定" in page and "弥勒市甲局" in page
    assert coordinator.post(f"{results}/approve", data={"csrf_token": csrf_of(coordinator, results), "step": "x"}).status_code == 403
    steps = 0
    while 'name="step" value="' in (page := leader.get(results).text):
        step = page.split('name="step" value="')[1].split('"')[0]
        approved = leader.post(f"{results}/approve", data={"csrf_token": csrf_of(leader, results), "step": step})
        assert approved.status_code == 303
        steps += 1
    assert steps >= 1 and "待审定" not in page and portal.accounts["leader"] in page
    approvals = page.split('id="approval"')[1].split("</table>")[0]
    assert approvals.count(f"{portal.clock.now().astimezone(BEIJING):%Y-%m-%d %H:%M}") == steps  # when each step was recorded, Beijing time

    sent = coordinator.post(f"{results}/send", data={"csrf_token": csrf_of(coordinator, results)})
    assert sent.status_code == 200 and "已向各单位发送第1版结果" in sent.text

    mine = unit.get("/results").text
    assert "95" in mine and "下载反馈函" in mine
    letter = unit.get(f"/results/{portal.cycle}/letter")
    assert letter.status_code == 200 and letter.content[:2] == b"PK"  # a DOCX
    assert portal.login("coordinator").get(f"/results/{portal.cycle}/letter").status_code == 403


def test_an_approval_step_out_of_order_is_refused(own_portal: Portal) -> None:
    portal = own_portal
    publish(portal)
    leader = portal.login("leader")
    results = f"/cycles/{portal.cycle}/results"
    refused = leader.post(f"{results}/approve", data={"csrf_token": csrf_of(leader, results), "step": "not_a_step"})
    assert refused.status_code == 400 and "方案没有审定步骤 not_a_step" in refused.text
    assert portal.accounts["leader"] not in leader.get(results).text.split('id="approval"')[1].split("</table>")[0]


