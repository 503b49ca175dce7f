"""Publishing results in a cycle: version 1 with documents and rectification obligations; corrections as new,
audited versions; units whose result changed are told again under a new outbox key."""

from __future__ import annotations

from pathlib import Path

import pytest
from results_support import MILE_SHEET, aggregate, approve_all, audit, bj, feedback, messages, obligation

from kaohe.db import session_scope
from kaohe.errors import StateError
from kaohe.store.cycles import get_cycle
from kaohe.store.results import (
    get_version,
    list_rectifications,
    list_versions,
    unit_records,
)

PUBLISHED = bj(2019, 3, 7, 16)


def corrected_sheet(tmp_path: Path, old: str, new: str) -> Path:
    """The sample sheet with one row changed."""
    path = tmp_path / "corrected.csv"
    text = MILE_SHEET.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_first_publication_stores_the_report_documents_and_rectification(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    outcome = aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET, by="联席办")
    assert (outcome["version"], outcome["supersedes"], outcome["must_rectify"]) == (1, None, ["M04", "M07"])
    assert outcome["grades"] == {"优秀": 3, "良好": 1, "合格": 1, "不合格": 2} and outcome["feedback_waiting"] is False
    folder = tmp_path / "results" / key / "v1"
    assert (folder / "考核报告.docx").is_file() and (folder / "考核排名.xlsx").is_file()
    assert (folder / "反馈意见" / "M04 市水务局.docx").is_file()
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        version = get_version(session, cycle)
        assert (version.version, version.published_by, version.rectify_rule, version.reason) == (1, "联席办", "lowest_grade", None)
        assert version.report["results"][0]["unit"] == "M03" and version.inputs["counts"] == {"评分表": 7}
        rows = {u.code: (r.total, r.grade, r.rank, r.group) for r, u in unit_records(session, version)}
        assert rows["M04"] == ("69.50", "不合格", 2, "弥阳镇") and rows["M06"] == ("106.00", "优秀", 1, "非公企业")
        stage = next(s for s in cycle.stages if s.kind == "rectification")
        rectifying = {u.code: (o.status, o.due_at, [i.text for i in items]) for u, o, items in list_rectifications(session, cycle)}
    assert set(rectifying) == {"M04", "M07"}
    assert rectifying["M04"] == ("pending", stage.due_at, ["挂包村项目资金拨付滞后", "“基础分”得分 68，低于本组平均分 74.00", "考核等次为“不合格”"])
    assert stage.due_at == bj(2019, 3, 18, 23, 59, 59)  # 17 March 2019 is a Sunday: next working day (第七条 “3月17日前”)
    assert obligation(database_url, key, "summary", "C1").status == "done"  # type: ignore[union-attr]
    assert [e.detail["must_rectify"] for e in audit(database_url, key, "results.published")] == [["M04", "M07"]]


def test_publishing_the_same_result_again_changes_nothing(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET)
    again = aggregate(database_url, tmp_path, key, bj(2019, 3, 8), sheet=MILE_SHEET)
    assert (again["unchanged"], again["version"]) == (True, 1)
    assert len(audit(database_url, key, "results.published")) == 1


def test_a_different_result_needs_a_reason(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET)
    sheet = corrected_sheet(tmp_path, "M04,市水务局,弥阳镇,非贫困乡镇,68,1.5", "M04,市水务局,弥阳镇,非贫困乡镇,70,1.5")
    with pytest.raises(StateError, match="更正须说明理由"):
        aggregate(database_url, tmp_path, key, bj(2019, 3, 9), sheet=sheet)
    assert not (tmp_path / "results" / key / "v2").exists()


def test_a_correction_is_a_new_audited_version_and_the_changed_units_are_told_again(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET)
    approve_all(database_url, tmp_path, key, bj(2019, 3, 7, 18))
    sent = feedback(database_url, tmp_path, key, bj(2019, 3, 8, 9))
    assert (sent["sent"], sent["version"], sent["rectifying"]) == (True, 1, ["M04", "M07"])
    first = messages(database_url, key)
    assert sorted(code for code, kind, _, _ in first if kind == "results") == ["M01", "M02", "M03", "M04", "M05", "M06", "M07"]
    assert sorted(code for code, kind, _, _ in first if kind == "rectification") == ["M04", "M07"]
    m04 = next(body for code, kind, _, body in first if code == "M04" and kind == "results")
    assert "考核结果为“不合格”，得分69.50分" in m04 and "整改报告" in m04 and "书面反馈意见（第1版）" in m04 and "见附件" in m04
    assert feedback(database_url, tmp_path, key, bj(2019, 3, 8, 10))["sent"] is False  # once per version

    # The joint office finds M04's 基础分 was 70, not 68: 71.50 is 合格, so M04 no longer rectifies.
    sheet = corrected_sheet(tmp_path, "M04,市水务局,弥阳镇,非贫困乡镇,68,1.5", "M04,市水务局,弥阳镇,非贫困乡镇,70,1.5")
    outcome = aggregate(database_url, tmp_path, key, bj(2019, 3, 9, 10), sheet=sheet, reason="M04 基础分录入错误（68应为70）", by="联席办")
    assert (outcome["version"], outcome["supersedes"], outcome["changed"]) == (2, 1, ["M04"])
    assert outcome["rectification"]["withdrawn"] == ["M04"] and outcome["rectification"]["kept"] == ["M07"]
    [entry] = audit(database_url, key, "results.corrected")
    assert (entry.actor, entry.subject, entry.detail["supersedes"], entry.detail["reason"]) == ("联席办", "v2", 1, "M04 基础分录入错误（68应为70）")
    assert entry.detail["changed"]["M04"]["before"]["grade"] == "不合格" and entry.detail["changed"]["M04"]["after"]["total"] == "71.50"
    again = [m for m in messages(database_url, key) if m not in first]
    assert [(code, kind) for code, kind, _, _ in again] == [("M04", "results")]
    assert again[0][2] == f"{key}:feedback:M04:results:results@v2:email"
    assert "考核结果为“合格”，得分71.50分" in again[0][3] and "更正此前发送的第1版" in again[0][3]
    assert obligation(database_url, key, "rectification", "M04").status == "waived"  # type: ignore[union-attr]
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        versions = list_versions(session, cycle)
        assert [(v.version, v.supersedes_id == versions[0].id) for v in versions] == [(1, False), (2, True)]
        assert versions[0].report["results"][4]["total"] == "69.50"  # version 1 is kept as published
        changed = {u.code: r.changed for r, u in unit_records(session, versions[1])}
        assert [code for code, flag in changed.items() if flag] == ["M04"]


def test_a_correction_before_feedback_tells_nobody_yet(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET)
    sheet = corrected_sheet(tmp_path, "M05,市林草局,弥阳镇,非贫困乡镇,79.99,", "M05,市林草局,弥阳镇,非贫困乡镇,60,")
    outcome = aggregate(database_url, tmp_path, key, bj(2019, 3, 7, 18), sheet=sheet, reason="抽查发现台账造假")
    assert outcome["rectification"]["created"] == ["M05"] and outcome["correction_messages"] == 0
    assert messages(database_url, key) == []
    approve_all(database_url, tmp_path, key, bj(2019, 3, 7, 19))
    assert feedback(database_url, tmp_path, key, bj(2019, 3, 8))["rectifying"] == ["M04", "M05", "M07"]
    assert all("@v2:" in k for _, _, k, _ in messages(database_url, key))


def test_sending_feedback_completes_the_feedback_obligation(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # 弥勒 第七条：通报并约谈由市委组织部牵头 — the organisation department owes the feedback stage
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET)
    assert obligation(database_url, key, "feedback", "C1") is None
    assert obligation(database_url, key, "feedback", "O1").status == "pending"  # type: ignore[union-attr]
    approve_all(database_url, tmp_path, key, bj(2019, 3, 7, 18))
    feedback(database_url, tmp_path, key, bj(2019, 3, 8))
    assert obligation(database_url, key, "feedback", "O1").status == "done"  # type: ignore[union-attr]
    assert [e.detail["rectifying"] for e in audit(database_url, key, "results.feedback_sent")] == [["M04", "M07"]]


def test_published_documents_carry_the_offices_header_and_document_number(make_mile_cycle, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET, doc_number="弥挂联办〔{year}〕5号",
              doc_header="弥勒市“挂包帮”“转走访”工作联席会议办公室文件")
    folder = tmp_path / "results" / key / "v1"
    for name in ("考核报告.pdf", "考核排名.pdf", "反馈意见/M04 市水务局.pdf"):
        assert (folder / name).is_file(), name
    letter = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO((folder / "反馈意见" / "M04 市水务局.pdf").read_bytes())).pages)
    assert letter.startswith("弥勒市“挂包帮”“转走访”工作联席会议办公室文件弥挂联办〔2019〕5号")
    assert letter.endswith("二〇一九年三月七日")
