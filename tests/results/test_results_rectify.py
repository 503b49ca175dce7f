"""Rectification: the unit's report completes its obligation; items are signed off one by one; a rejected item
re-opens the obligation (overdue after the deadline, so the advancing engine keeps escalating it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from results_support import MILE_SHEET, ROSTER, aggregate, audit, bj, messages, obligation

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.clock import parse_instant
from kaohe.db import session_scope
from kaohe.errors import NotFoundError, StateError, SubmissionError
from kaohe.services import build_context, local_operator, rectification
from kaohe.services.uploads import Upload
from kaohe.settings import Settings
from kaohe.store.cycles import get_cycle
from kaohe.store.results import rectification_of, review_item


def submit_report(url, home, key, unit, report, *, by, at):  # type: ignore[no-untyped-def]
    """``kaohe rectify`` through the service, as the local operator ``by``."""
    command = rectification.SubmitRectification(local_operator(by), key, unit, Upload.read(report, "整改报告"), parse_instant(at))
    return rectification.submit_report(build_context(Settings(database_url=url, home=home)), command)


def statuses(url: str, key: str, code: str) -> list[str]:
    """The unit's item statuses in item order."""
    with session_scope(url) as session:
        return [i.status for i in rectification_of(session, get_cycle(session, key), code)[1]]


def review(url: str, key: str, code: str, item: int, status: str, at: str, note: str | None = None):  # type: ignore[no-untyped-def]
    """Review one item as the organization department would."""
    from kaohe.clock import parse_instant

    with session_scope(url) as session:
        return review_item(session, get_cycle(session, key), code, item, status, by="市委组织部", now=parse_instant(at), note=note)


@pytest.fixture
def rectifying(make_mile_cycle, database_url: str, tmp_path: Path) -> tuple[str, Path]:  # type: ignore[no-untyped-def]
    """A cycle whose results are published (M04 and M07 must rectify by 18 March 2019) and a report file."""
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, bj(2019, 3, 7, 16), sheet=MILE_SHEET)
    report = tmp_path / "整改报告.docx"
    report.write_bytes("整改情况报告".encode())
    return key, report


def test_submit_completes_and_items_are_signed_off_one_by_one(rectifying, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, report = rectifying
    outcome = submit_report(database_url, tmp_path, key, "M04", report, by="M04", at="2019-03-14T10:00")
    assert (outcome["version"], outcome["late_by_seconds"], outcome["completed_obligation"], outcome["items"]) == (1, 0, True, [1, 2, 3])
    assert (tmp_path / outcome["files"][0]["path"]).read_bytes() == report.read_bytes()
    assert obligation(database_url, key, "rectification", "M04").status == "done"  # type: ignore[union-attr]

    assert review(database_url, key, "M04", 1, "accepted", "2019-03-15T10:00").reopened is False
    rejected = review(database_url, key, "M04", 2, "rejected", "2019-03-15T10:05", note="未附对比数据")
    assert (rejected.reopened, rejected.finished, rejected.messages) == (True, False, 1)
    assert obligation(database_url, key, "rectification", "M04").status == "pending"  # type: ignore[union-attr]
    [(code, kind, _, body)] = messages(database_url, key)
    assert (code, kind) == ("M04", "rectification")
    assert "“基础分”得分 68" in body and "第 2 项整改未通过验收（市委组织部）：未附对比数据" in body
    assert statuses(database_url, key, "M04") == ["accepted", "rejected", "reported"]

    again = submit_report(database_url, tmp_path, key, "M04", report, by="M04", at="2019-03-18T09:00")
    assert (again["version"], again["completed_obligation"], again["items"]) == (2, True, [2])
    review(database_url, key, "M04", 3, "accepted", "2019-03-19T10:00")
    assert review(database_url, key, "M04", 2, "accepted", "2019-03-19T10:01").finished is True
    assert statuses(database_url, key, "M04") == ["accepted", "accepted", "accepted"]
    actions = [e.detail["status"] for e in audit(database_url, key, "rectification.reviewed")]
    assert actions == ["accepted", "rejected", "accepted", "accepted"]
    assert [e.subject for e in audit(database_url, key, "rectification.accepted")] == ["M04"]
    assert len(audit(database_url, key, "obligation.reopened")) == 1


def test_a_rejection_after_the_deadline_leaves_the_obligation_overdue(rectifying, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, report = rectifying
    submit_report(database_url, tmp_path, key, "M07", report, by="M07", at="2019-03-18T20:00")
    review(database_url, key, "M07", 1, "rejected", "2019-03-20T09:00")
    reopened = obligation(database_url, key, "rectification", "M07")
    assert reopened is not None and (reopened.status, reopened.completed_at) == ("overdue", None)
    assert reopened.overdue_since == bj(2019, 3, 20)


@pytest.mark.parametrize(("code", "item", "error", "message"), [
    ("M04", 1, StateError, "尚未报送整改报告"),
    ("M04", 9, NotFoundError, "没有 9 号"),
    ("M01", 1, NotFoundError, "无整改任务"),
])
def test_what_cannot_be_reviewed(rectifying, database_url, code, item, error, message) -> None:  # type: ignore[no-untyped-def]
    key, _ = rectifying
    with pytest.raises(error, match=message):
        review(database_url, key, code, item, "accepted", "2019-03-15T10:00")


def test_an_accepted_item_stays_accepted(rectifying, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, report = rectifying
    submit_report(database_url, tmp_path, key, "M04", report, by="M04", at="2019-03-14T10:00")
    review(database_url, key, "M04", 1, "accepted", "2019-03-15T10:00")
    with pytest.raises(StateError, match="已验收通过"):
        review(database_url, key, "M04", 1, "rejected", "2019-03-15T11:00")


def test_a_unit_not_required_to_rectify_cannot_submit_and_nobody_before_the_stage_opens(rectifying, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, report = rectifying
    with pytest.raises(SubmissionError, match="无须在阶段 rectification"):
        submit_report(database_url, tmp_path, key, "M01", report, by="M01", at="2019-03-14T10:00")
    with pytest.raises(SubmissionError, match="尚未开始"):
        submit_report(database_url, tmp_path, key, "M04", report, by="M04", at="2019-03-08T10:00")
    assert not (tmp_path / "submissions").exists()


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; exit code, stdout, stderr."""
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_commands_a_coordinator_and_a_unit_use(capsys, kaohe_env: Path) -> None:  # type: ignore[no-untyped-def]
    roster = kaohe_env / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    report = kaohe_env / "整改报告.pdf"
    report.write_bytes(b"%PDF-1.4 rectification")
    assert kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster))[0] == 0
    code, out, err = kaohe(capsys, "results", "aggregate", "mile-2018", "--input", str(MILE_SHEET), "--at", "2019-03-07T16:00", "--json")
    assert (code, err) == (0, "") and json.loads(out)["must_rectify"] == ["M04", "M07"]
    code, out, _ = kaohe(capsys, "results", "aggregate", "mile-2018", "--input", str(kaohe_env / "roster.csv"))
    assert code == 3
    code, out, _ = kaohe(capsys, "results", "feedback", "mile-2018")
    assert code == 0 and "尚待市扶贫开发领导小组和市联席会议审定" in out
    code, out, _ = kaohe(capsys, "results", "approve", "mile-2018", "--by", "领导小组办公室")
    assert code == 0 and "市扶贫开发领导小组和市联席会议审定" in out and "审定完毕" in out
    code, out, err = kaohe(capsys, "results", "approve", "mile-2018", "--by", "领导小组办公室")
    assert code == 5 and "已记录" in err
    code, out, _ = kaohe(capsys, "results", "feedback", "mile-2018")
    assert code == 0 and "M04、M07" in out
    code, out, _ = kaohe(capsys, "rectify", "mile-2018", "--unit", "M04", "--report", str(report), "--at", "2019-03-14T10:00")
    assert code == 0 and "第 1 版整改报告（按时）" in out
    code, out, _ = kaohe(capsys, "rectify", "review", "mile-2018", "--unit", "M04", "--item", "1", "--status", "rejected",
                         "--by", "市委组织部", "--at", "2019-03-15T10:00")
    assert code == 0 and "退回重新整改" in out and "重新打开" in out
    code, out, _ = kaohe(capsys, "rectify", "status", "mile-2018", "--unit", "M04", "--json")
    [row] = json.loads(out)
    assert (row["obligation"], [i["status"] for i in row["items"]]) == ("pending", ["rejected", "reported", "reported"])
    code, out, _ = kaohe(capsys, "results", "show", "mile-2018", "--json")
    assert [r["unit"] for r in json.loads(out)["results"] if r["must_rectify"]] == ["M04", "M07"]
    code, _, err = kaohe(capsys, "rectify", "review", "mile-2018", "--unit", "M04", "--item", "1", "--status", "accepted", "--by", "x")
    assert code == 5 and "已退回" in err
