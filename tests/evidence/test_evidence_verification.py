"""Verification: the verifier's item scores against the unit's self-scores, differences per item, sign-off."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from evidence_support import bj, context_at, submit
from sqlalchemy import select

from kaohe.db import session_scope
from kaohe.errors import PermissionDeniedError, StateError
from kaohe.models import Obligation
from kaohe.services import Actor, Role
from kaohe.services.uploads import Upload
from kaohe.services.verification import VerifyScores, verify_scores
from kaohe.store.cycles import get_cycle, get_unit

SELF = "指标,自评分\n基础分,92\n资金投入加分,12\n"


def _verify(url: str, key: str, unit: str, table: str, by: str, *, signed: bool = False):  # type: ignore[no-untyped-def]
    home = Path(tempfile.mkdtemp())
    command = VerifyScores(Actor(by, Role.VERIFIER, unit=by), key, unit, Upload("核查.csv", table.encode()), sign_off=signed)
    result = verify_scores(context_at(url, home, bj(2019, 1, 25)), command)
    return result.comparison, list(result.completed_stages)


def _obligation_status(url: str, key: str, unit: str, stage: str) -> str:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        stage_id = next(s.id for s in cycle.stages if s.key == stage)
        return session.scalars(select(Obligation.status).where(
            Obligation.stage_id == stage_id, Obligation.unit_id == get_unit(session, cycle, unit).id)).one()


@pytest.fixture
def submitted(database_url, make_cycle, home, write) -> str:  # type: ignore[no-untyped-def]
    key = make_cycle()
    for unit in ("A1", "A2"):
        submit(database_url, home, key, unit, "self_check", report=write(f"{unit}.docx", b"r"), scores=write(f"{unit}.csv", SELF),
               by=unit, now=bj(2019, 1, 10))
    return key


def test_differences_are_shown_item_by_item(database_url, submitted) -> None:
    result, _ = _verify(database_url, submitted, "A1", "指标,核查分,说明\n基础分,85,台账不全扣7分\n资金投入加分,12,\n", "V1")
    assert [(d.item_id, d.self_score, d.verified_score, d.difference, d.changed) for d in result.items] == [
        ("base", Decimal("92"), Decimal("85"), Decimal("-7"), True),
        ("fund_input", Decimal("12"), Decimal("12"), Decimal("0"), False),
    ]
    assert (result.self_total, result.verified_total, len(result.changed)) == (Decimal("104"), Decimal("97"), 1)


def test_a_verifier_may_correct_its_scores_until_it_signs_off(database_url, submitted) -> None:
    _verify(database_url, submitted, "A1", "指标,核查分\n基础分,80\n资金投入加分,10\n", "V1")
    result, _ = _verify(database_url, submitted, "A1", "指标,核查分\n基础分,90\n资金投入加分,12\n", "V1", signed=True)
    assert result.verified_total == Decimal("102")
    with pytest.raises(StateError, match="已于 .* 由 V1 签字确认"):
        _verify(database_url, submitted, "A1", "指标,核查分\n基础分,70\n资金投入加分,0\n", "V1")


def test_signing_off_every_unit_of_its_township_completes_the_verifiers_obligation(database_url, submitted) -> None:
    _, completed = _verify(database_url, submitted, "A1", "指标,核查分\n基础分,90\n资金投入加分,12\n", "V1", signed=True)
    assert completed == [] and _obligation_status(database_url, submitted, "V1", "verification") == "pending"
    _, completed = _verify(database_url, submitted, "A2", "指标,核查分\n基础分,91\n资金投入加分,12\n", "V1", signed=True)
    assert completed == ["verification"]
    assert _obligation_status(database_url, submitted, "V1", "verification") == "done"
    assert _obligation_status(database_url, submitted, "V2", "verification") == "pending"


def test_no_verification_before_the_unit_submitted_its_self_scores(database_url, make_cycle) -> None:
    key = make_cycle()
    with pytest.raises(StateError, match="尚未报送自评表"):
        _verify(database_url, key, "A3", "指标,核查分\n基础分,90\n", "V2")


def test_a_verifier_may_not_verify_a_unit_of_another_township(database_url, submitted) -> None:
    with pytest.raises(PermissionDeniedError, match="V2（核查单位）无权执行 verification.score：不负责核查单位 A1"):
        _verify(database_url, submitted, "A1", "指标,核查分\n基础分,90\n资金投入加分,12\n", "V2")


def test_no_sign_off_while_an_item_is_unverified(database_url, submitted) -> None:
    with pytest.raises(StateError, match="尚有指标未核实（资金投入加分）"):
        _verify(database_url, submitted, "A2", "指标,核查分\n基础分,90\n", "V1", signed=True)


def test_self_scores_are_frozen_once_signed_off(database_url, submitted, home, write) -> None:  # type: ignore[no-untyped-def]
    _verify(database_url, submitted, "A1", "指标,核查分\n基础分,90\n资金投入加分,12\n", "V1", signed=True)
    with pytest.raises(StateError, match="签字核实，自评分不能再更改"):
        submit(database_url, home, submitted, "A1", "self_check", report=write("A1-v2.docx", b"r2"),
               scores=write("A1-v2.csv", "指标,自评分\n基础分,99\n资金投入加分,20\n"), by="A1", now=bj(2019, 1, 26))
    result, _ = _verify(database_url, submitted, "A2", "指标,核查分\n基础分,92\n资金投入加分,12\n", "V1")
    assert result.self_total == Decimal("104")  # A2 untouched; A1's frozen self-scores are checked below
    with session_scope(database_url) as session:
        from kaohe.models import ItemScore

        unit = get_unit(session, get_cycle(session, submitted), "A1")
        assert {s.item_id: s.self_score for s in session.scalars(select(ItemScore).where(ItemScore.unit_id == unit.id))} == {
            "base": Decimal("92"), "fund_input": Decimal("12")}
