"""`kaohe simulate` end to end: simulated units, verifiers and offices act through the real code paths,
under the Prefect test harness, and what they did is in the store and the report."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kaohe.clock import BEIJING
from kaohe.db import session_scope
from kaohe.evidence.files import sha256_hex
from kaohe.models import ItemScore, ThirdPartyReview
from kaohe.planning import plan_cycle
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme
from kaohe.services import build_context, local_operator
from kaohe.services.sampling import VerifySample, verify_sample
from kaohe.settings import PROJECT_ROOT, Settings, get_settings
from kaohe.simulate.runner import run_simulation
from kaohe.workdays import load_calendar

pytestmark = pytest.mark.prefect

CAL = load_calendar()
UNIT_KINDS = ("stage_opened", "upcoming", "due_today", "overdue")
ROSTERS = {"mile": "mile-roster.csv", "sichuan": "sichuan-roster.csv"}


def _simulate(scheme_id: str, workdir: Path) -> tuple[dict[str, Any], Path, dict[str, dt.datetime]]:
    scheme = load_scheme(scheme_id, PROJECT_ROOT / "schemes")
    plan = plan_cycle(scheme, 2018, CAL)
    roster = read_roster(PROJECT_ROOT / "samples" / ROSTERS[scheme_id])
    report = run_simulation(scheme, plan, roster, CAL, seed="kaohe", workdir=workdir).to_json()
    json.dumps(report, ensure_ascii=False)
    return report, workdir, {s.id: s.due for s in plan.stages}


ENVIRONMENT: dict[str, dict[str, str]] = {}
"""os.environ before and after the Sichuan simulation."""


@pytest.fixture(scope="module")
def mile(mile_simulation: tuple[dict[str, Any], Path]) -> tuple[dict[str, Any], Path, dict[str, dt.datetime]]:
    """Mile 2018 on the sample roster: the session's simulation (tests/conftest.py), as ./scripts/demo makes it."""
    report, workdir = mile_simulation
    return report, workdir, {s.id: s.due for s in plan_cycle(load_scheme("mile", PROJECT_ROOT / "schemes"), 2018, CAL).stages}


@pytest.fixture(scope="module")
def sichuan(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path, dict[str, dt.datetime]]:
    """Sichuan 2018 on the sample roster, simulated once for the module, with KAOHE_* variables that would break
    anything reading the environment below the simulation's edge (it builds its own context)."""
    unusable = tmp_path_factory.mktemp("unusable") / "not-a-directory"
    unusable.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KAOHE_DATABASE_URL", f"sqlite:///{unusable}/kaohe.db")
        patch.setenv("KAOHE_HOME", str(unusable))
        patch.setenv("KAOHE_SMTP_PORT", "1")
        get_settings.cache_clear()
        ENVIRONMENT["before"] = dict(os.environ)
        try:
            return _simulate("sichuan", tmp_path_factory.mktemp("sichuan"))
        finally:
            ENVIRONMENT["after"] = dict(os.environ)
            get_settings.cache_clear()


def test_the_simulation_leaves_the_environment_alone(sichuan: tuple[dict[str, Any], Path, dict[str, dt.datetime]]) -> None:
    report, workdir, _ = sichuan
    assert ENVIRONMENT["after"] == ENVIRONMENT["before"]
    assert report["database"] == f"sqlite:///{workdir / 'simulation.db'}"
    assert report["received"]["email"] > 0, "mail reached the simulation's own receiver, not KAOHE_SMTP_PORT"


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _roster(scheme_id: str) -> dict[str, Any]:
    return {e.code: e for e in read_roster(PROJECT_ROOT / "samples" / ROSTERS[scheme_id])}


def test_every_simulated_act_is_accepted_by_the_real_code(mile) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = mile
    acts = {a["act"] for a in report["actions"]}
    assert acts == {"submit", "verify", "order_issue", "order_close", "sample_seed", "aggregate", "rectify"}
    assert [a for a in report["actions"] if a["status"] != "done"] == []


def test_submissions_are_stored_with_their_checksums_and_late_ones_are_marked_late(mile) -> None:  # type: ignore[no-untyped-def]
    report, workdir, dues = mile
    assert report["submissions"]
    for row in report["submissions"]:
        stored = workdir / row["path"]
        assert stored.is_file() and sha256_hex(stored.read_bytes()) == row["sha256"] and stored.stat().st_size == row["size"]
        if row["stage"] in dues:
            late = max(0, int((_at(row["submitted_at"]) - dues[row["stage"]]).total_seconds()))
            assert row["late_by_seconds"] == late
    late_units = {(r["unit"], r["stage"]) for r in report["submissions"] if r["late_by_seconds"] > 0}
    assert len(late_units) >= 3
    kinds = {(r["stage"], r["kind"]) for r in report["submissions"]}
    assert {("self_check", "score_table"), ("submission", "score_table"), ("paper_materials", "report")} <= kinds
    assert ("paper_materials", "score_table") not in kinds


def test_township_verifiers_sign_off_their_units_and_complete_their_verification(mile) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = mile
    roster = _roster("mile")
    signed = {v["unit"]: v for v in report["verifications"]}
    assert signed
    for unit, signoff in signed.items():
        assert roster[signoff["signed_by"]].township == roster[unit].township
    assert any(v["changed"] > 0 and v["self_total"] != v["verified_total"] for v in signed.values())
    assert any(v["changed"] == 0 for v in signed.values())
    verifiers = {code for code, e in roster.items() if str(e.role) == "verifier"}
    all_signed = {v for v in verifiers
                  if all(c in signed for c, e in roster.items() if str(e.role) == "assessed" and e.township == roster[v].township)}
    completed = {c["unit"] for c in report["completions"] if c["stage"] == "verification"}
    assert completed == all_signed and completed
    with session_scope(report["database"]) as session:
        scores = session.scalars(select(ItemScore)).all()
        assert scores and all(s.self_score is not None and s.verified_score is not None for s in scores)


def test_one_order_is_closed_before_its_deadline_and_the_other_is_escalated(mile) -> None:  # type: ignore[no-untyped-def]
    report, workdir, _ = mile
    roster = _roster("mile")
    closed, left = report["orders"]
    assert closed["status"] == "closed" and _at(closed["closed_at"]) < _at(closed["due"])
    evidence = next(workdir.glob(f"orders/*/{closed['order']}/*"))
    assert sha256_hex(evidence.read_bytes()) == closed["evidence_sha256"]
    assert "escalation" not in closed["messages_sent"]
    assert left["status"] == "open" and left["obligation"] == "overdue" and left["messages_sent"].get("escalation")
    stage = f"order_{left['order']}"
    escalated = {d["unit"] for d in report["deliveries"] if d["stage"] == stage and d["kind"] == "escalation" and d["status"] == "sent"}
    assert escalated == {roster[left["unit"]].supervisor}
    issued = [d for d in report["deliveries"] if d["kind"] == "supervision_order"]
    assert {d["at"] for d in issued} == {closed["issued_at"]}


def test_grades_are_published_and_rectification_reports_arrive_except_one(mile) -> None:  # type: ignore[no-untyped-def]
    report, _, dues = mile
    [version] = report["results"]
    assert version["units"] == 40 and version["feedback_sent_at"] is not None
    assert set(version["grades"]) == {"优秀", "良好", "合格", "不合格"}
    rectifying = report["rectifications"]
    assert {r["unit"] for r in rectifying} == set(version["must_rectify"]) and len(rectifying) >= 2
    missing = [r for r in rectifying if r["completed_at"] is None]
    assert len(missing) == 1 and missing[0]["status"] == "overdue"
    for row in rectifying:
        if row["completed_at"]:
            assert not row["late"] and {i["status"] for i in row["items"]} == {"reported"}
    reports = {r["unit"] for r in report["submissions"] if r["stage"] == "rectification"}
    assert reports == {r["unit"] for r in rectifying if r["completed_at"]}


def test_nothing_is_sent_on_a_non_working_day(mile) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = mile
    sent = [d for d in report["deliveries"] if d["status"] == "sent"]
    assert sent
    assert [d for d in sent if not CAL.is_working_day(_at(d["at"]).astimezone(BEIJING).date())] == []


def test_no_unit_is_reminded_of_a_stage_after_completing_it(mile) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = mile
    completed = {(c["unit"], c["stage"]): _at(c["at"]) for c in report["completions"]}
    reminders = [d for d in report["deliveries"] if d["status"] == "sent" and d["kind"] in UNIT_KINDS]
    assert reminders
    late = [d for d in reminders if (d["unit"], d["stage"]) in completed and _at(d["at"]) > completed[(d["unit"], d["stage"])]]
    assert late == []


def test_sichuan_draws_its_sample_from_the_committed_seed_and_stores_the_third_party_results(sichuan) -> None:  # type: ignore[no-untyped-def]
    report, workdir, _ = sichuan
    assert [a for a in report["actions"] if a["status"] != "done"] == []
    [sample] = report["samples"]
    [commit] = [a for a in report["actions"] if a["act"] == "sample_seed"]
    assert sample["stage"] == commit["stage"] == "provincial_spot_check" and sample["seed_hash"] == commit["seed_hash"]
    assert sample["selected"] and _at(commit["at"]) < _at(sample["drawn_at"])
    assert (workdir / "samples" / report["cycle"] / "provincial_spot_check.json").is_file()
    context = build_context(Settings(database_url=report["database"]))
    assert verify_sample(context, VerifySample(local_operator("test"), report["cycle"], "provincial_spot_check")).ok
    [review] = report["reviews"]
    assert review["status"] == "complete" and review["received"] == sorted(sample["selected"]) and review["units"] == sample["selected"]
    with session_scope(report["database"]) as session:
        stored = session.scalars(select(ThirdPartyReview)).one()
        assert sorted(stored.results) == sorted(sample["selected"])
        assert all("satisfaction" in result for result in stored.results.values())
    [version] = report["results"]
    assert version["must_rectify"] and report["rectifications"]


def test_sichuan_sends_nothing_on_a_non_working_day(sichuan) -> None:  # type: ignore[no-untyped-def]
    report, _, _ = sichuan
    sent = [d for d in report["deliveries"] if d["status"] == "sent"]
    assert [d for d in sent if not CAL.is_working_day(_at(d["at"]).astimezone(BEIJING).date())] == []


def test_the_simulated_cycles_letters_report_and_ranking_are_a4_pdfs_an_office_can_read(mile) -> None:  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    report, workdir, _ = mile
    folder = next(workdir.glob(f"results/{report['cycle']}/v1"))

    def pages(path: Path) -> list[Any]:
        return list(PdfReader(io.BytesIO(path.read_bytes())).pages)

    def text(path: Path) -> str:
        return "".join("".join(page.extract_text().split()) for page in pages(path))

    letters = sorted((folder / "反馈意见").glob("*.pdf"))
    assert len(letters) == 40
    for path in (folder / "考核报告.pdf", *letters[:3]):
        assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages(path)} == {(595, 842)}
    letter = text(letters[0])
    assert "考核结果反馈意见" in letter and "二、分项得分" in letter and "年" in letter[-12:] and letter.endswith("日")
    assert "ROUND_HALF" not in text(folder / "考核报告.pdf")
    assert {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages(folder / "考核排名.pdf")} == {(842, 595)}


def test_no_recipient_gets_two_escalations_on_one_day_on_one_channel(mile) -> None:  # type: ignore[no-untyped-def]
    from collections import defaultdict

    from kaohe.models import OutboxMessage

    _, workdir, _ = mile
    carriers: dict[tuple[int, str, dt.date], set[str]] = defaultdict(set)
    items: dict[tuple[int, str, dt.date], int] = defaultdict(int)
    with session_scope(f"sqlite:///{workdir / 'simulation.db'}") as session:
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "escalation", OutboxMessage.status == "sent")):
            day = (row.unit_id, row.channel, row.sent_at.astimezone(BEIJING).date())
            carriers[day].add(row.sent_as)
            items[day] += 1
    assert carriers and any(count > 1 for (_, channel, _), count in items.items() if channel == "email")
    assert {key: sent for key, sent in carriers.items() if len(sent) > 1} == {}
