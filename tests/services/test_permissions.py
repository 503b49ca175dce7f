"""Every service called by every role: the permission model is enforced by the service itself."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kaohe.db import session_scope
from kaohe.errors import KaoheError, PermissionDeniedError
from kaohe.models import AuditEntry
from kaohe.services import (
    Actor,
    AppContext,
    Role,
    accounts,
    aggregation,
    cycles,
    messages,
    orders,
    proof,
    rectification,
    reviews,
    roster,
    sampling,
    special,
)
from kaohe.services.advance import AdvanceCycle, advance_cycle
from kaohe.services.approval import ApproveResults, approve_results
from kaohe.services.calendar_feeds import RotateCalendarToken, rotate_calendar_token
from kaohe.services.deadlines import ExtendDeadline, extend_deadline
from kaohe.services.permissions import ALLOWED, Action, Scope, may
from kaohe.services.submissions import CloseSubmissions, Submit, close_stage_submissions, submit
from kaohe.services.uploads import Upload
from kaohe.services.verification import EnteredScore, EnterScores, SignOff, VerifyScores, enter_scores, sign_off_scores, verify_scores

ROSTER_FILE = Path(__file__).parent / "roster.csv"
REPORT = Upload("自查报告.docx", b"report")
SCORES = Upload("核查.csv", "指标,核查分\n基础分,90\n".encode())
AT = dt.datetime(2019, 1, 10, 2, tzinfo=dt.timezone.utc)

ACTORS = {
    "admin": Actor("admin", Role.ADMIN),
    "coordinator": Actor("c1", Role.COORDINATOR),
    "coordinator of another cycle": Actor("c2", Role.COORDINATOR, cycles=frozenset({"other-2018"})),
    "leader": Actor("l1", Role.LEADER),
    "unit A1": Actor("A1", Role.UNIT, unit="A1"),
    "unit A2": Actor("A2", Role.UNIT, unit="A2"),
    "verifier V1 (A1's township)": Actor("V1", Role.VERIFIER, unit="V1"),
    "verifier V2 (A2's township)": Actor("V2", Role.VERIFIER, unit="V2"),
    "lead assessor": Actor("la", Role.LEAD_ASSESSOR),
    "evaluator": Actor("ev", Role.EVALUATOR),
    "system": Actor("flow:test", Role.SYSTEM),
}

Call = Callable[[AppContext, Actor, str], Any]
SERVICES: dict[str, tuple[Call, set[str]]] = {
    "advance": (lambda c, a, k: advance_cycle(c, AdvanceCycle(a, k, AT)),
                {"admin", "coordinator", "system"}),
    "submit for A1": (lambda c, a, k: submit(c, Submit(a, k, "A1", "self_check", REPORT, at=AT)),
                      {"admin", "coordinator", "unit A1"}),
    "close submissions": (lambda c, a, k: close_stage_submissions(c, CloseSubmissions(a, k, "self_check")),
                          {"admin", "coordinator", "system"}),
    "verify A1": (lambda c, a, k: verify_scores(c, VerifyScores(a, k, "A1", SCORES)),
                  {"admin", "coordinator", "verifier V1 (A1's township)"}),
    "verify and sign off A1": (lambda c, a, k: verify_scores(c, VerifyScores(a, k, "A1", SCORES, sign_off=True)),
                               {"admin", "coordinator", "verifier V1 (A1's township)"}),
    "extend a deadline": (lambda c, a, k: extend_deadline(c, ExtendDeadline(a, k, "self_check", dt.date(2019, 1, 30), "延期")),
                          {"admin", "coordinator"}),
    "approve results": (lambda c, a, k: approve_results(c, ApproveResults(a, k)),
                        {"admin", "coordinator", "leader"}),
    "issue an order to A1": (lambda c, a, k: orders.issue(c, orders.IssueOrder(a, k, "A1", "整改台账", dt.date(2030, 1, 10))),
                             {"admin", "coordinator", "leader"}),
    "score order 1": (lambda c, a, k: orders.score(c, orders.ScoreOrder(a, k, 1, {"整改落实": Decimal(18)})),
                      {"admin", "coordinator", "lead assessor"}),
    "score special verification": (lambda c, a, k: special.score_special_verification(c, special.ScoreSpecialVerification(
        a, k, "special_verification_1", Upload("专项核查.csv", "单位代码,得分\nA1,90\n".encode()))), {"admin", "coordinator"}),
    "A1's rectification report": (lambda c, a, k: rectification.submit_report(
        c, rectification.SubmitRectification(a, k, "A1", REPORT, at=AT)), {"admin", "coordinator", "unit A1"}),
    "review A1's rectification": (lambda c, a, k: rectification.review(
        c, rectification.ReviewRectification(a, k, "A1", 1, "accepted")), {"admin", "coordinator", "lead assessor"}),
    "A1's rectification item 1": (lambda c, a, k: rectification.submit_item(
        c, rectification.SubmitRectificationItem(a, k, "A1", 1, REPORT, at=AT)), {"admin", "coordinator", "unit A1"}),
    "A1 signs for its order 1": (lambda c, a, k: orders.acknowledge(c, orders.AcknowledgeOrder(a, k, "A1", 1)),
                                 {"admin", "coordinator", "unit A1"}),
    "A1 replies to its order 1": (lambda c, a, k: orders.reply(c, orders.ReplyOrder(a, k, "A1", 1, "已收到，正在办理")),
                                  {"admin", "coordinator", "unit A1"}),
    "enter A1's verified scores": (lambda c, a, k: enter_scores(c, EnterScores(a, k, "A1", [EnteredScore("基础分", "90")])),
                                   {"admin", "coordinator", "verifier V1 (A1's township)"}),
    "sign off A1's verified scores": (lambda c, a, k: sign_off_scores(c, SignOff(a, k, "A1")),
                                      {"admin", "coordinator", "verifier V1 (A1's township)"}),
    "rotate A1's calendar address": (lambda c, a, k: rotate_calendar_token(c, RotateCalendarToken(a, "A1")),
                                     {"admin", "coordinator", "unit A1"}),
    "create a cycle": (lambda c, a, k: cycles.create_cycle(c, cycles.CreateCycle(
        a, "mile", 2018, ROSTER_FILE, f"{k}-by-{a.account}", outside_validity=True)), {"admin", "coordinator", "system"}),
    "publish a seed hash": (lambda c, a, k: sampling.draw_sample(c, sampling.DrawSample(a, k, "spot_check", seed_hash_only=True)),
                            {"admin", "coordinator", "lead assessor", "system"}),
    "draw a sample": (lambda c, a, k: sampling.draw_sample(c, sampling.DrawSample(a, k, "spot_check", at=AT)),
                      {"admin", "coordinator", "lead assessor", "system"}),
    "verify a sample": (lambda c, a, k: sampling.verify_sample(c, sampling.VerifySample(a, k, "spot_check")), set(ACTORS)),
    "send a review": (lambda c, a, k: asyncio.run(reviews.send_review(c, reviews.SendReview(a, k, "spot_check"))),
                      {"admin", "coordinator", "lead assessor", "system"}),
    "collect a review": (lambda c, a, k: asyncio.run(reviews.collect_review(c, reviews.CollectReview(a, k, "spot_check"))),
                         {"admin", "coordinator", "lead assessor", "system"}),
    "aggregate": (lambda c, a, k: aggregation.aggregate(c, aggregation.Aggregate(a, k, at=AT)), {"admin", "coordinator", "system"}),
    "send feedback": (lambda c, a, k: aggregation.send_feedback(c, aggregation.SendFeedback(a, k, at=AT)),
                      {"admin", "coordinator", "system"}),
    "import a roster": (lambda c, a, k: roster.import_roster(c, roster.ImportRoster(a, k, ROSTER_FILE)),
                        {"admin", "coordinator", "system"}),
    "create an account": (lambda c, a, k: accounts.create_account(c, accounts.CreateAccount(a, f"new-{a.account}", "unit", "A1")),
                          {"admin"}),
    "invite an account": (lambda c, a, k: accounts.invite_account(c, accounts.InviteAccount(a, "nobody")), {"admin"}),
    "accounts from the roster": (lambda c, a, k: accounts.accounts_from_roster(c, accounts.AccountsFromRoster(a, k)), {"admin"}),
    "issue an API token": (lambda c, a, k: accounts.issue_api_token(c, accounts.IssueApiToken(a, "nobody", "测试")), {"admin"}),
    "seal the delivery record": (lambda c, a, k: proof.seal_record(c, proof.SealRecord(a, k)), {"admin", "coordinator", "system"}),
    "A1 acknowledges a message": (lambda c, a, k: messages.acknowledge_message(c, messages.AcknowledgeMessage(a, k, "A1", "self_check")),
                                  {"admin", "coordinator", "leader", "unit A1", "lead assessor", "system"}),
}


_CYCLES: dict[str, str] = {}


def _audit_count(url: str) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("service", list(SERVICES))
def test_each_service_enforces_the_permission_model(context: AppContext, make_cycle: Callable[[], str], service: str,
                                                    who: str) -> None:
    call, allowed = SERVICES[service]
    if context.database_url not in _CYCLES:  # one cycle per database: a refusal changes nothing, an allowed call may
        _CYCLES[context.database_url] = make_cycle()
    key = _CYCLES[context.database_url]
    before = _audit_count(context.database_url)
    if who in allowed:
        try:
            call(context, ACTORS[who], key)
        except PermissionDeniedError as error:  # pragma: no cover - the failure message says who was refused
            pytest.fail(f"{who} was refused {service}: {error}")
        except KaoheError:
            pass  # allowed, but the cycle's state refused it (e.g. nothing to approve yet): not a permission matter
    else:
        with pytest.raises(PermissionDeniedError, match="无权|不能记录"):
            call(context, ACTORS[who], key)
        assert _audit_count(context.database_url) == before, "a refused action changed nothing"


def test_the_role_table_names_every_action() -> None:
    assert set(ALLOWED) == set(Action)
    assert all(may(Actor("x", Role.SYSTEM), action, Scope()) == (Role.SYSTEM in ALLOWED[action]) for action in Action)


def test_a_verifier_hands_in_only_for_its_own_unit() -> None:
    verifier = Actor("V1", Role.VERIFIER, unit="V1")
    assert may(verifier, Action.SUBMIT, Scope(cycle="c", unit="V1"))
    assert not may(verifier, Action.SUBMIT, Scope(cycle="c", unit="A1", verified_by=frozenset({"V1"})))


def test_an_account_without_a_unit_cannot_act_as_a_unit(tmp_path: Path) -> None:
    assert not may(Actor("u", Role.UNIT), Action.SUBMIT, Scope(cycle="c", unit="A1"))
    assert not may(Actor("v", Role.VERIFIER, unit="V1"), Action.VERIFY, Scope(cycle="c", unit="A1", verified_by=frozenset({"V2"})))
    assert may(Actor("v", Role.VERIFIER, unit="V1"), Action.VERIFY, Scope(cycle="c", unit="A1", verified_by=frozenset({"V1"})))
