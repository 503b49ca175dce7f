"""A unit hands in its report through the portal: streamed to disk, hashed, versioned, ending on a
receipt; it leaves the overdue list; a file over the limit is refused with nothing kept; the
overdue list filters by stage and roster attributes and exports to XLSX with formulas defused."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
from openpyxl import load_workbook
from web_support import Portal, csrf_of

from kaohe.web.export import safe_cell


def _upload(client: httpx.Client, portal: Portal, stage: str, files: dict[str, tuple[str, bytes]]) -> httpx.Response:
    token = csrf_of(client, f"/tasks/{portal.cycle}/{stage}")
    return client.post(f"/tasks/{portal.cycle}/{stage}/upload", data={"csrf_token": token}, files=files)


def test_a_unit_uploads_its_report_and_gets_a_receipt(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    unit = clients["unit"]
    tasks = unit.get("/tasks").text
    assert "自查自评" in tasks and "自查报告、自评表（签字盖章）" in tasks and "逾期 2 个工作日" in tasks
    overdue_before = clients["coordinator"].get(f"/api/cycles/{portal.cycle}/overdue", params={"stage": "self_check"}).json()
    assert portal.unit in {r["unit"] for r in overdue_before}

    report = "弥勒市甲局2018年度自查报告\n".encode() * 5000
    response = _upload(unit, portal, "self_check", {"report": ("甲局自查报告.docx", report)})
    assert response.status_code == 303
    receipt = unit.get(response.headers["location"])
    assert receipt.status_code == 200
    assert hashlib.sha256(report).hexdigest() in receipt.text
    assert "甲局自查报告.docx" in receipt.text and f"{len(report)} 字节" in receipt.text
    assert "逾期" in receipt.text and "第1版" in receipt.text and "打印回执" in receipt.text

    overdue_after = clients["coordinator"].get(f"/api/cycles/{portal.cycle}/overdue", params={"stage": "self_check"}).json()
    assert portal.unit not in {r["unit"] for r in overdue_after}
    assert "已完成" in unit.get("/tasks").text

    again = _upload(unit, portal, "self_check", {"report": ("甲局自查报告（修改）.docx", b"v2")})
    assert again.headers["location"].endswith("/self_check/2")
    history = unit.get(f"/tasks/{portal.cycle}/self_check").text
    assert "第2版" in history and "第1版" in history
    assert not list((portal.settings.home / "uploads").iterdir())  # the streaming area is emptied


def test_an_upload_over_the_limit_is_refused_and_nothing_is_kept(own_portal: Portal) -> None:
    portal = own_portal
    portal.app.state.web.settings = portal.settings.replaced(web_upload_max_mb=1)
    client = portal.login("unit")
    response = _upload(client, portal, "submission", {"report": ("大文件.pdf", b"x" * (1024 * 1024 + 10))})
    assert response.status_code == 400 and "超过大小上限 1 MB" in response.text
    assert "尚未报送" in client.get(f"/tasks/{portal.cycle}/submission").text
    assert not list((portal.settings.home / "uploads").iterdir())
    assert not (portal.settings.home / "submissions").exists()


def test_an_upload_without_a_file_says_why_and_a_task_not_owed_is_not_found(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    empty = _upload(clients["unit"], portal, "submission", {"report": ("空.pdf", b"")})
    assert empty.status_code == 400 and "请选择要上传的报告文件" in empty.text
    token = csrf_of(clients["unit"], f"/tasks/{portal.cycle}/submission")
    foreign = clients["unit"].post(f"/tasks/{portal.cycle}/verification/upload", data={"csrf_token": token}, files={"report": ("x.pdf", b"x")})
    assert foreign.status_code == 404


def test_the_overdue_list_filters_by_stage_and_roster_attribute(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    coordinator = clients["coordinator"]
    east = coordinator.get(f"/api/cycles/{portal.cycle}/overdue", params={"stage": "submission", "region": "东片"}).json()
    assert {r["unit"] for r in east} == {f"{portal.prefix}A1", f"{portal.prefix}A2"}
    assert all(r["overdue_working_days"] == 1 and r["supervisor"] == f"{portal.prefix}V1" for r in east)
    west = coordinator.get(f"/cycles/{portal.cycle}/overdue", params={"stage": "submission", "township": "虹溪镇"})
    assert "弥勒市丙公司" in west.text and "弥勒市甲局" not in west.text
    fragment = coordinator.get(f"/cycles/{portal.cycle}/overdue", params={"region": "西片"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="overdue-table"' in fragment.text


def test_the_overdue_export_matches_the_list_and_defuses_formulas(portal: Portal, clients: dict[str, httpx.Client]) -> None:
    coordinator = clients["coordinator"]
    listed = coordinator.get(f"/api/cycles/{portal.cycle}/overdue", params={"stage": "submission"}).json()
    exported = coordinator.get(f"/cycles/{portal.cycle}/overdue.xlsx", params={"stage": "submission"})
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "单位编码" and "逾期工作日" in rows[1]
    assert sorted(r[0] for r in rows[2:]) == sorted(r["unit"] for r in listed)


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("＝1", "'＝1"), ("弥勒市甲局", "弥勒市甲局"), (3, 3), ("", ""),
])
def test_cells_that_a_spreadsheet_would_run_stay_text(value: object, expected: object) -> None:
    assert safe_cell(value) == expected


def test_a_long_overdue_list_shows_its_first_rows_and_exports_all(portal: Portal, clients: dict[str, httpx.Client],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from kaohe.web.routes import board

    monkeypatch.setattr(board, "PAGE_ROWS", 2)
    page = clients["coordinator"].get(f"/cycles/{portal.cycle}/overdue").text
    listed = clients["coordinator"].get(f"/api/cycles/{portal.cycle}/overdue").json()
    assert f"共 {len(listed)} 项逾期" in page and "前 2 项" in page
    assert page.count("<tr data-unit=") == 2
    sheet = load_workbook(io.BytesIO(clients["coordinator"].get(f"/cycles/{portal.cycle}/overdue.xlsx").content)).active
    assert sheet.max_row - 2 == len(listed) > 2
