"""Submissions: on time, late, resubmitted (every version kept) and rejected with nothing stored."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from evidence_support import bj, submit
from sqlalchemy import func, select

from kaohe.db import session_scope
from kaohe.errors import NotFoundError, ScoreSheetError, StateError, SubmissionError
from kaohe.models import AuditEntry, ItemScore, Obligation, Submission
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.submissions import close_submissions

SCORES = "指标,自评分,说明\n基础分,92,对照评分表逐项自评\n资金投入加分,12,投入资金折算\n合计,104,\n"


def _stored(url: str, key: str, unit: str = "A1") -> list[Submission]:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        return list(session.scalars(select(Submission).where(Submission.unit_id == get_unit(session, cycle, unit).id)
                                    .order_by(Submission.version, Submission.kind)))


def _obligation(url: str, key: str, unit: str, stage: str) -> Obligation:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        stage_id = next(s.id for s in cycle.stages if s.key == stage)
        return session.scalars(select(Obligation).where(Obligation.stage_id == stage_id,
                                                        Obligation.unit_id == get_unit(session, cycle, unit).id)).one()


def test_on_time_submission_stores_files_with_checksums_and_completes_the_obligation(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    report = write("自查报告.docx", b"report-v1")
    result = submit(database_url, home, key, "A1", "self_check", report=report, scores=write("自评表.csv", SCORES),
                    by="A1", now=bj(2019, 1, 10))
    assert (result.version, result.late_by_seconds, result.completed, result.scores) == (1, 0, True, 2)
    rows = _stored(database_url, key)
    assert [(r.version, r.kind, r.file_name, r.late_by_seconds) for r in rows] == [
        (1, "report", "自查报告.docx", 0), (1, "score_table", "自评表.csv", 0)]
    for row in rows:
        on_disk = (home / row.stored_path).read_bytes()
        assert hashlib.sha256(on_disk).hexdigest() == row.sha256 and len(on_disk) == row.size
    assert rows[0].stored_path == f"submissions/{key}/A1/self_check/v1/自查报告.docx"
    assert _obligation(database_url, key, "A1", "self_check").status == "done"
    with session_scope(database_url) as session:
        scores = {s.item_id: s.self_score for s in session.scalars(select(ItemScore).where(ItemScore.self_submission_id == rows[1].id))}
    assert scores == {"base": Decimal("92"), "fund_input": Decimal("12")}


def test_late_submission_is_accepted_and_marked_late_even_after_the_stage_closed(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    with session_scope(database_url) as session:
        stage = next(s for s in get_cycle(session, key).stages if s.key == "self_check")
        stage.status = "closed"
    result = submit(database_url, home, key, "A2", "self_check", report=write("report.pdf", b"late"), scores=None,
                    by="A2", now=bj(2019, 1, 25, 12, 30))
    due = bj(2019, 1, 23, 23, 59).replace(second=59)
    assert result.late_by_seconds == int((bj(2019, 1, 25, 12, 30) - due).total_seconds())
    assert result.to_json()["lateness"] == "逾期1天12小时30分钟"
    [row] = _stored(database_url, key, "A2")
    assert row.late_by_seconds == result.late_by_seconds
    assert _obligation(database_url, key, "A2", "self_check").status == "done"


def test_resubmission_keeps_every_version(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    first = submit(database_url, home, key, "A1", "self_check", report=write("r1.docx", b"one"),
                   scores=write("s1.csv", SCORES), by="A1", now=bj(2019, 1, 10))
    second = submit(database_url, home, key, "A1", "self_check", report=write("r2.docx", b"two"),
                    scores=write("s2.csv", SCORES.replace("92", "88").replace("104", "100")), by="A1", now=bj(2019, 1, 24, 9))
    assert (first.version, second.version, second.completed) == (1, 2, False)
    rows = _stored(database_url, key)
    assert [(r.version, r.kind) for r in rows] == [(1, "report"), (1, "score_table"), (2, "report"), (2, "score_table")]
    assert [(home / r.stored_path).read_bytes() for r in rows if r.kind == "report"] == [b"one", b"two"]
    assert rows[2].late_by_seconds > 0 and rows[0].late_by_seconds == 0
    with session_scope(database_url) as session:
        base = session.scalars(select(ItemScore).where(ItemScore.item_id == "base", ItemScore.self_submission_id == rows[3].id)).one()
        completions = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "obligation.completed", AuditEntry.subject == "self_check:A1", AuditEntry.cycle_id == base.cycle_id))
    assert base.self_score == Decimal("88") and completions == 1


@pytest.mark.parametrize(("unit", "stage", "error", "words"), [
    ("NOPE", "self_check", NotFoundError, "没有编码为 NOPE"),
    ("A1", "no_such_stage", NotFoundError, "没有阶段 no_such_stage"),
    ("V1", "self_check", SubmissionError, "无须在阶段 self_check"),
    ("A1", "verification", SubmissionError, "无须在阶段 verification"),
    ("A1", "rectification", SubmissionError, "无须在阶段 rectification"),
])
def test_submission_for_the_wrong_unit_or_stage_is_refused_and_nothing_is_stored(
        database_url, make_cycle, home, write, unit, stage, error, words) -> None:
    key = make_cycle()
    with pytest.raises(error, match=words):
        submit(database_url, home, key, unit, stage, report=write("r.docx", b"x"), scores=None, by=unit, now=bj(2019, 1, 10))
    assert not (home / "submissions").exists() or not any((home / "submissions").rglob("*.docx"))


def test_malformed_score_table_reports_every_bad_row_and_stores_nothing(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    table = "序号,指标,自评分\n1,基础分,一百\n2,资金投入加分,25\n3,群众满意度,10\n4,资金投入加分,5\n"
    with pytest.raises(ScoreSheetError) as caught:
        submit(database_url, home, key, "A1", "self_check", report=write("r.docx", b"x"), scores=write("bad.csv", table),
               by="A1", now=bj(2019, 1, 10))
    assert caught.value.details() == [
        "bad.csv，第2行，字段 分数：“基础分”的分数应为数字，实为“一百”",
        "bad.csv，第3行，字段 分数：指标“资金投入加分”的分数 25 超出范围 0–20",
        "bad.csv，第4行，字段 指标：未知指标“群众满意度”（应为：基础分、资金投入加分）",
        "bad.csv，第5行，字段 指标：指标“资金投入加分”重复（第3行已填）",
    ]
    assert _stored(database_url, key) == []
    assert not (home / "submissions").exists()
    assert _obligation(database_url, key, "A1", "self_check").status == "pending"


def test_stage_not_yet_open_is_refused(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    with pytest.raises(SubmissionError, match="尚未开始"):
        submit(database_url, home, key, "A1", "self_check", report=write("r.docx", b"x"), scores=None, by="A1", now=bj(2018, 11, 20))


def test_self_scores_only_in_self_report_or_submission_stages(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    with pytest.raises(SubmissionError, match="不收自评表"):
        submit(database_url, home, key, "V1", "verification", report=write("r.docx", b"x"), scores=write("s.csv", SCORES),
               by="V1", now=bj(2019, 1, 20))


def test_after_the_coordinator_closes_submissions_a_late_one_is_refused(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    with session_scope(database_url) as session:
        close_submissions(session, get_cycle(session, key), "self_check", by="C1", reason="进入核查", now=bj(2019, 1, 28))
    with pytest.raises(StateError, match="已于 .* 由 C1 截止收件"):
        submit(database_url, home, key, "A3", "self_check", report=write("r.docx", b"x"), scores=None, by="A3", now=bj(2019, 1, 29))
    assert _stored(database_url, key, "A3") == []


def test_a_failed_transaction_removes_the_copied_files(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    submit(database_url, home, key, "A1", "self_check", report=write("r.docx", b"1"), scores=None, by="A1", now=bj(2019, 1, 10))
    (home / f"submissions/{key}/A1/self_check/v2").mkdir(parents=True)
    with pytest.raises(StateError, match="已存在"):
        submit(database_url, home, key, "A1", "self_check", report=write("r.docx", b"2"), scores=None, by="A1", now=bj(2019, 1, 11))
    assert [r.version for r in _stored(database_url, key)] == [1]


def test_stored_path_parts_are_made_safe(database_url, make_cycle, home, write) -> None:
    key = make_cycle()
    result = submit(database_url, home, key, "A1", "self_check", report=write("a:b?.pdf", b"x"),
                    scores=None, by="A1", now=bj(2019, 1, 10))
    assert result.files[0].stored_path.endswith("/v1/a_b_.pdf")
    assert Path(home / result.files[0].stored_path).read_bytes() == b"x"
