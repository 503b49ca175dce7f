"""The office's actions over HTTP on a real server: extend a deadline, close a stage's submissions, issue a
supervision order, publish the sampling seed's hash and then draw; the result documents, the board's dated
timeline and the cycle tree scoped to what the account oversees. Each action lands in the store and the audit
log through the services; refused input answers 400 with one line saying why and changes nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from web_support import Portal, bj, csrf_of, make_cascade

from kaohe.db import session_scope
from kaohe.models import AuditEntry, Cycle, CycleStage, Obligation, OutboxMessage, SupervisionOrder, Unit
from kaohe.sampling import verify
from kaohe.web.timeline import StageDates, build_timeline
from kaohe.workdays import WorkdayCalendar, load_calendar


def _post(client: httpx.Client, page: str, action: str, **data: str) -> httpx.Response:
    return client.post(action, data={"csrf_token": csrf_of(client, page), **data}, headers={"HX-Request": "true"})


def _audit(portal: Portal, action: str) -> list[AuditEntry]:
    with session_scope(portal.settings.effective_database_url) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == portal.cycle))
        return list(session.scalars(select(AuditEntry).where(AuditEntry.cycle_id == cycle_id, AuditEntry.action == action)))


def test_the_coordinator_extends_a_deadline_and_the_units_are_told(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    stage = f"/cycles/{portal.cycle}/stages/self_check"
    coordinator = clients["coordinator"]
    bad = _post(coordinator, stage, f"{stage}/extend", to="2019-02-30", reason="春节前集中报送")
    assert bad.status_code == 400 and "新截止日期应为日期" in bad.text
    past = _post(coordinator, stage, f"{stage}/extend", to="2019-01-10", reason="补报")
    assert past.status_code == 400 and "字段 新截止日期" in past.text and "--to" not in past.text
    no_reason = _post(coordinator, stage, f"{stage}/extend", to="2019-01-30", reason=" ")
    assert no_reason.status_code == 400 and "请填写延期理由" in no_reason.text
    assert _audit(portal, "deadline.changed") == []

    done = _post(coordinator, stage, f"{stage}/extend", to="2019-01-30", reason="春节前集中报送")
    assert done.status_code == 200, done.text[:500]
    assert "已将截止日期延至 2019-01-30" in done.text and 'id="stage-due">2019-01-30<' in done.text
    overdue = coordinator.get(f"/cycles/{portal.cycle}/overdue?stage=self_check").text
    assert "没有逾期单位" in overdue
    with session_scope(portal.settings.effective_database_url) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == portal.cycle))
        told = session.scalars(select(OutboxMessage.unit_id).where(OutboxMessage.cycle_id == cycle_id, OutboxMessage.stage_key == "self_check",
                                                                   OutboxMessage.kind == "deadline_changed")).all()
        dues = set(session.scalars(select(Obligation.due_at).join(CycleStage, Obligation.stage_id == CycleStage.id)
                                   .where(CycleStage.cycle_id == cycle_id, CycleStage.key == "self_check")))
    assert len(told) == len(set(told)) == 3  # each unit told once
    assert {d.astimezone(bj(2019, 1, 1).tzinfo).date() for d in dues} == {dt.date(2019, 1, 30)}
    assert [(e.actor, e.detail["reason"]) for e in _audit(portal, "deadline.changed")] == [(portal.accounts["coordinator"], "春节前集中报送")]


def test_a_leader_may_read_a_stage_but_not_act_on_it(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    stage = f"/cycles/{portal.cycle}/stages/submission"
    page = clients["leader"].get(stage).text
    assert "进度" in page and "调整截止日期" not in page and "截止收件</button>" not in page
    token = csrf_of(clients["leader"], stage)
    assert clients["leader"].post(f"{stage}/close", data={"csrf_token": token}).status_code == 403


def test_closing_a_stage_refuses_every_later_submission(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    stage = f"/cycles/{portal.cycle}/stages/submission"
    closed = _post(clients["admin"], stage, f"{stage}/close", reason="材料已汇总上报")
    assert closed.status_code == 200 and "已截止收件" in closed.text and "材料已汇总上报" in closed.text
    assert "截止收件</button>" not in closed.text
    again = clients["admin"].post(f"{stage}/close", data={"csrf_token": csrf_of(clients["admin"], f"/cycles/{portal.cycle}"), "reason": "x"})
    assert again.status_code == 400 and "已于" in again.text

    unit = clients["unit"]
    token = csrf_of(unit, f"/tasks/{portal.cycle}/submission")
    refused = unit.post(f"/tasks/{portal.cycle}/submission/upload", data={"csrf_token": token},
                        files={"report": ("年度总结.pdf", b"%PDF-1.4 late")})
    assert refused.status_code == 400 and "截止" in refused.text
    assert [e.actor for e in _audit(portal, "submissions.closed")] == [portal.accounts["admin"]]


def test_the_seed_hash_is_published_before_the_draw_and_the_draw_verifies(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    stage = f"/cycles/{portal.cycle}/stages/spot_check"
    lead = clients["lead_assessor"]
    early = _post(lead, stage, f"{stage}/sample", step="draw")
    assert early.status_code == 400 and "请先公布种子哈希" in early.text
    bad = _post(lead, stage, f"{stage}/sample", step="seed", exclusions=f"{portal.prefix}A3 没有理由")
    assert bad.status_code == 400 and "第1行" in bad.text
    assert clients["leader"].post(f"{stage}/sample", data={"csrf_token": csrf_of(clients["leader"], stage), "step": "seed"}).status_code == 403

    seeded = _post(lead, stage, f"{stage}/sample", step="seed", exclusions=f"{portal.prefix}A3：已列入省级抽查")
    assert seeded.status_code == 200, seeded.text[:500]
    seed_hash = seeded.text.split('id="seed-hash">')[1].split("<")[0]
    assert len(seed_hash) == 64 and f"已公布种子哈希 {seed_hash}" in seeded.text and "已列入省级抽查" in seeded.text
    assert ">抽取</button>" in seeded.text and 'id="drawn"' not in seeded.text
    twice = _post(lead, stage, f"{stage}/sample", step="seed")
    assert twice.status_code == 400 and seed_hash in twice.text

    drawn = _post(clients["coordinator"], stage, f"{stage}/sample", step="draw")
    assert drawn.status_code == 200 and "已抽取" in drawn.text and "复核通过" in drawn.text
    record = clients["admin"].get(f"{stage}/sample.json")
    assert record.status_code == 200 and "attachment" in record.headers["content-disposition"]
    data = json.loads(record.content)
    assert data["seed_hash"] == seed_hash and verify(data, expected_seed_hash=seed_hash).ok
    assert f"{portal.prefix}A3" not in [code for s in data["strata"] for code in s["selected"]]
    for code in [code for s in data["strata"] for code in s["selected"]]:
        assert f'data-unit="{code}"' in drawn.text
    assert clients["unit"].get(f"{stage}/sample.json").status_code == 403
    redraw = _post(lead, stage, f"{stage}/sample", step="draw")
    assert redraw.status_code == 400 and "不可重抽" in redraw.text


def test_a_supervision_order_is_issued_to_a_unit(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    orders = f"/cycles/{portal.cycle}/orders"
    leader = clients["leader"]
    empty = _post(leader, orders, orders, unit=f"{portal.prefix}A2", issue=" ", due="2019-02-15")
    assert empty.status_code == 400 and "督办事项不能为空" in empty.text and 'selected>弥勒市乙局' in empty.text
    past = _post(leader, orders, orders, unit=f"{portal.prefix}A2", issue="入户走访记录不全", due="2019-01-20")
    assert past.status_code == 400 and "入户走访记录不全" in past.text  # the form keeps what was typed
    issued = _post(leader, orders, orders, unit=f"{portal.prefix}A2", issue="入户走访记录不全，限期补齐", due="2019-02-15")
    assert issued.status_code == 200, issued.text[:500]
    assert "已下发督办单" in issued.text and "入户走访记录不全，限期补齐" in issued.text.split('id="orders"')[1]
    with session_scope(portal.settings.effective_database_url) as session:
        made = session.scalars(select(SupervisionOrder).join(Unit, SupervisionOrder.unit_id == Unit.id)
                               .where(Unit.code == f"{portal.prefix}A2")).all()
    assert [(o.issued_by, o.issue) for o in made] == [(portal.accounts["leader"], "入户走访记录不全，限期补齐")]
    lead = clients["lead_assessor"]
    assert "下发督办单</button>" not in lead.get(orders).text
    assert lead.post(orders, data={"csrf_token": csrf_of(lead, orders), "unit": f"{portal.prefix}A2"}).status_code == 403


def test_the_orders_page_shows_each_units_sign_off_and_replies(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    orders = f"/cycles/{portal.cycle}/orders"
    issued = _post(clients["coordinator"], orders, orders, unit=portal.unit, issue="扶贫资金台账待核", due="2019-02-20")
    assert issued.status_code == 200, issued.text[:500]
    number = re.findall(r'data-order="(\d+)"', issued.text.split('id="orders"')[1])[-1]
    row = _order_row(clients["coordinator"].get(orders).text, number)
    assert "未签收" in row and "尚无回复" in row

    unit = clients["unit"]
    path = f"/orders/{portal.cycle}/{number}"
    token = csrf_of(unit, path)
    assert unit.post(f"{path}/acknowledge", data={"csrf_token": token}).status_code == 303
    assert unit.post(f"{path}/reply", data={"csrf_token": token, "text": "台账已补<script>alert(1)</script>"}).status_code == 303

    for role in ("coordinator", "leader", "admin"):
        row = _order_row(clients[role].get(orders).text, number)
        assert "未签收" not in row and f"2019-01-25 10:00<br><span class=\"muted\">{portal.accounts['unit']}</span>" in row
        assert f'<span class="muted">2019-01-25 10:00 {portal.accounts["unit"]}</span><br>台账已补' in row
        assert "台账已补&lt;script&gt;alert(1)&lt;/script&gt;</p>" in row and "<script>" not in row


def _order_row(page: str, number: str) -> str:
    """The row of order ``number`` on the coordinator's orders page."""
    return page.split(f'<tr data-order="{number}">')[1].split("</tr>")[0]


def test_the_report_and_ranking_download_for_overseers_only(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    from test_web_results import publish

    publish(portal)
    leader, unit = clients["leader"], clients["unit"]
    page = leader.get(f"/cycles/{portal.cycle}/results").text
    base = f"/cycles/{portal.cycle}/results/1"
    for name in ("report.pdf", "report.docx", "ranking.xlsx", "ranking.pdf"):
        assert f'href="{base}/{name}"' in page
    pdf = leader.get(f"{base}/report.pdf")
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-" and "attachment" in pdf.headers["content-disposition"]
    ranking = leader.get(f"{base}/ranking.xlsx")
    assert ranking.status_code == 200
    cells = [c for row in load_workbook(io.BytesIO(ranking.content)).active.iter_rows(values_only=True) for c in row]
    assert f"{portal.prefix}A1" in cells or "弥勒市甲局" in cells
    assert leader.get(f"{base}/ranking.pdf").content[:5] == b"%PDF-"
    assert leader.get(f"{base}/../../results/1/ranking.pdf").status_code in (404, 200)
    assert leader.get(f"{base}/考核报告.pdf").status_code == 404
    assert leader.get(f"/cycles/{portal.cycle}/results/2/report.pdf").status_code == 404
    assert unit.get(f"{base}/report.pdf").status_code == 403
    assert f'href="{base}/letters/{portal.prefix}A1"' in page
    letter = leader.get(f"{base}/letters/{portal.prefix}A1")
    assert letter.status_code == 200 and letter.content[:2] == b"PK"
    assert leader.get(f"{base}/letters/{portal.prefix}A1?format=pdf").content[:5] == b"%PDF-"
    assert leader.get(f"{base}/letters/{portal.prefix}V1").status_code == 404  # not assessed: no letter
    assert leader.get(f"{base}/letters/{portal.prefix}A1?format=exe").status_code == 404
    assert unit.get(f"{base}/letters/{portal.prefix}A1").status_code == 403  # a unit reads its own at /results


def test_the_board_draws_the_dated_timeline(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    with session_scope(portal.settings.effective_database_url) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.key == portal.cycle))
        session.execute(update(CycleStage).where(CycleStage.cycle_id == cycle_id, CycleStage.key == "rectification").values(provisional=True))
    page = clients["coordinator"].get(f"/cycles/{portal.cycle}").text
    timeline = page.split('<svg id="timeline"')[1].split("</svg>")[0]
    assert "02-04 至 02-10 春节假期" in timeline  # 2019's Spring Festival shaded as one run
    assert "02-02" not in timeline.split("春节假期")[0].rsplit("<title>", 1)[1]  # the adjusted working Saturday is not shaded
    assert '<g id="today">' in timeline and "今天" in timeline
    assert 'class="bar' in timeline and 'data-stage="self_check"' in timeline
    provisional = timeline.split('data-stage="rectification"')[0].rsplit("<g ", 1)[1]
    assert "provisional" in provisional and "（暂定）" in timeline.split('data-stage="rectification"')[1].split("</g>")[0]
    assert f'href="/cycles/{portal.cycle}/stages/self_check"' in page


def test_the_timeline_shades_runs_marks_today_and_flags_provisional_dates() -> None:
    calendar = load_calendar()
    stages = [StageDates("a", "甲", dt.date(2019, 1, 2), dt.date(2019, 1, 23), False, "closed"),
              StageDates("b", "乙", None, dt.date(2019, 2, 15), False, "pending")]
    line = build_timeline(stages, calendar, dt.date(2019, 1, 25))
    assert line is not None and line.first == dt.date(2019, 1, 1) and line.days == 46
    assert line.today == 24 and [b.start for b in line.bars] == [1, 45] and line.bars[1].days == 1
    shaded = {line.first + dt.timedelta(days=s.start + i) for s in line.off for i in range(s.days)}
    assert shaded == {line.first + dt.timedelta(days=i) for i in range(46) if not calendar.is_working_day(line.first + dt.timedelta(days=i))}
    assert [m.title for m in line.months] == ["2019年1月", "2019年2月"]
    assert build_timeline(stages, calendar, dt.date(2019, 6, 1)).today is None  # type: ignore[union-attr]
    bare = WorkdayCalendar()
    unknown = build_timeline([StageDates("c", "丙", None, dt.date(2031, 3, 3), bare.is_provisional(dt.date(2031, 3, 3)), "pending")],
                             bare, dt.date(2031, 3, 1))
    assert unknown is not None and unknown.bars[0].provisional and build_timeline([], calendar, dt.date(2019, 1, 1)) is None


def test_the_tree_shows_each_levels_dates_and_only_the_cycles_one_oversees(portal: Portal, clients: dict[str, httpx.Client],
                                                                            database_url: str) -> None:
    from web_support import PASSWORD, login

    from kaohe.accounts.service import accept_invitation, create_account, invite

    keys = make_cascade(database_url)
    province, suining, neijiang = keys["province"], keys["SC-C08"], keys["SC-C09"]
    admin = clients["admin"].get(f"/cycles/{suining}/tree")
    assert admin.status_code == 200
    rows = re.findall(r'<tr data-cycle="([^"]+)" data-stage="([^"]+)">', admin.text)
    order = list(dict.fromkeys(cycle for cycle, _ in rows))
    assert order == [province, neijiang, suining]  # parents before children, children by key
    city_row = admin.text.split(f'data-cycle="{suining}" data-stage="county_self_check"')[1].split("</tr>")[0]
    with session_scope(database_url) as session:
        dues = {(c.key, s.key): s.due_at.astimezone(bj(2019, 1, 1).tzinfo).date().isoformat()
                for c in session.scalars(select(Cycle).where(Cycle.key.in_(keys.values()))) for s in c.stages}
    assert dues[(suining, "county_self_check")] in city_row and dues[(province, "self_check")] in city_row  # side by side
    assert dues[(suining, "county_self_check")] < dues[(province, "self_check")]

    name = f"{portal.prefix}-suining"
    with session_scope(database_url) as session:  # the city's own coordinator
        create_account(session, name=name, role="coordinator", cycles=[suining], by="test", now=portal.clock.now())
        accept_invitation(session, invite(session, name, by="test", now=portal.clock.now()), PASSWORD, now=portal.clock.now())
    city = portal.client()
    assert login(city, name, PASSWORD).status_code == 303  # type: ignore[attr-defined]
    mine = city.get(f"/cycles/{suining}/tree").text
    assert f'data-cycle="{suining}"' in mine and f'data-cycle="{province}"' not in mine and f'data-cycle="{neijiang}"' not in mine
    assert "另有 2 个周期不在您负责的范围内" in mine
    assert dues[(province, "self_check")] in mine.split('data-stage="county_self_check"')[1].split("</tr>")[0]  # the parent's date still shown
    assert city.get(f"/cycles/{province}/tree").status_code == 404
    assert clients["coordinator"].get(f"/cycles/{suining}/tree").status_code == 404
    listed = clients["admin"].get("/cycles").text
    assert f'href="/cycles/{suining}/tree"' in listed and f"上级 {province}" in listed
    assert f'href="/cycles/{suining}/tree"' in clients["admin"].get(f"/cycles/{suining}").text


@pytest.mark.parametrize("role", ["unit", "verifier", "evaluator"])
def test_nobody_but_overseers_reaches_the_office_pages(portal: Portal, clients: dict[str, httpx.Client], role: str) -> None:
    for path in ("stages/self_check", "orders", "tree", "stages/spot_check/sample.json", "results/1/report.pdf",
                 f"results/1/letters/{portal.unit}"):
        assert clients[role].get(f"/cycles/{portal.cycle}/{path}").status_code == 403


def test_the_api_runs_the_same_actions_for_a_token_holder(own_portal: Portal) -> None:
    from kaohe.accounts.service import issue_api_token

    portal = own_portal
    with session_scope(portal.settings.effective_database_url) as session:
        token = issue_api_token(session, portal.accounts["coordinator"], label="省数据平台", by="test", now=portal.clock.now())
    machine = httpx.Client(base_url=portal.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    api = f"/api/cycles/{portal.cycle}"
    moved = machine.post(f"{api}/stages/verification/extend", json={"to": "2019-02-01", "reason": "核查人员调整", "units": [f"{portal.prefix}V1"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["obligations"] == 1 and moved.json()["due"].startswith("2019-02-01T23:59")
    bad = machine.post(f"{api}/stages/verification/extend", json={"to": "2019-02-30", "reason": "x"})
    assert bad.status_code == 422 and "to" in bad.json()["detail"]
    unknown = machine.post(f"{api}/stages/verification/extend", json={"to": "2019-02-01", "reason": "x", "units": ["NOPE"]})
    assert unknown.status_code == 404 and "NOPE" in unknown.json()["detail"]
    closed = machine.post(f"{api}/stages/paper_materials/close", json={"reason": "纸质材料已收齐"})
    assert closed.status_code == 200 and closed.json()["closed_by"] == portal.accounts["coordinator"]
    assert machine.post(f"{api}/stages/paper_materials/close", json={}).status_code == 400
    seeded = machine.post(f"{api}/stages/spot_check/sample", json={"step": "seed", "exclusions": [{"code": f"{portal.prefix}A3", "reason": "省级已抽"}]})
    assert seeded.status_code == 200 and seeded.json()["drawn"] is False
    drawn = machine.post(f"{api}/stages/spot_check/sample", json={"step": "draw"})
    assert drawn.status_code == 200 and drawn.json()["seed_hash"] == seeded.json()["seed_hash"] and "record_file" not in drawn.json()
    order = machine.post(f"{api}/orders", json={"unit": f"{portal.prefix}A2", "issue": "台账不全", "due": "2019-02-15"})
    assert order.status_code == 201 and order.json()["order"] == 1

    browser = portal.login("coordinator")  # a browser session must send its CSRF token in X-CSRF-Token
    assert browser.post(f"{api}/stages/self_check/close", json={}).status_code == 403
    token_of_page = csrf_of(browser, f"/cycles/{portal.cycle}")
    assert browser.post(f"{api}/stages/self_check/close", json={}, headers={"X-CSRF-Token": token_of_page}).status_code == 200
    leader = portal.login("leader")
    assert leader.post(f"{api}/stages/self_check/extend", json={"to": "2019-02-01", "reason": "x"},
                       headers={"X-CSRF-Token": csrf_of(leader, f"/cycles/{portal.cycle}")}).status_code == 403
