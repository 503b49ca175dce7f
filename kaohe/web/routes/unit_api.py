"""The same actions as the unit's and the verifier's pages for machines, under ``/api`` (bearer token, or a logged-in
browser sending its CSRF token in the ``X-CSRF-Token`` header): a unit's orders (签收, replies), a verifier's units,
one unit's comparison, verified scores and the sign-off."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kaohe.evidence.differences import ScoreComparison
from kaohe.evidence.orders import order_no
from kaohe.models import Account
from kaohe.services import orders
from kaohe.services.verification import EnteredScore, EnterScores, SignOff, Verified, enter_scores, sign_off_scores
from kaohe.web.actions import actor_of
from kaohe.web.deps import ContextDep, SessionDep, WebContext, check_csrf, get_db, origin_of, require
from kaohe.web.routes.unit_orders import my_order, my_orders
from kaohe.web.verifying import unit_in_charge, verification_view, verified_units

router = APIRouter(prefix="/api", tags=["api"])
CSRF_HEADER = "X-CSRF-Token"


def _acting(*roles: str) -> Any:
    """The role, then (for a browser session) the CSRF token from the ``X-CSRF-Token`` header."""

    role = Depends(require(*roles))

    def dependency(request: Request, account: Account = role) -> Account:
        check_csrf(request, request.headers.get(CSRF_HEADER))
        return account

    return dependency


UnitReader = Annotated[Account, Depends(require("unit"))]
UnitActing = Annotated[Account, Depends(_acting("unit"))]
VerifierReader = Annotated[Account, Depends(require("verifier"))]
VerifierActing = Annotated[Account, Depends(_acting("verifier"))]


class ReplyBody(BaseModel):
    """A reply to an order."""

    text: str = Field(max_length=20_000, description="回复内容（不超过 2000 字）")


class ScoreBody(BaseModel):
    """One item's verified score."""

    item: str = Field(max_length=200, description="指标（编号或名称）")
    score: str = Field(max_length=40, description="核查分")
    note: str = Field(default="", max_length=2000, description="核查说明")


class ScoresBody(BaseModel):
    """Verified scores for a unit; ``sign_off`` signs them in the same step."""

    scores: list[ScoreBody] = Field(max_length=500)
    sign_off: bool = False


def _order_json(order: Any, cycle: Any) -> dict[str, Any]:
    return {"cycle": cycle.key, "order": order.number, "order_no": order_no(cycle.year, order.number), "issue": order.issue,
            "issued_at": order.issued_at.isoformat(), "due": order.due_at.isoformat(), "status": order.status,
            "acknowledged_at": order.acknowledged_at.isoformat() if order.acknowledged_at else None,
            "acknowledged_by": order.acknowledged_by, "replies": order.replies, "scores": order.scores}


@router.get("/orders")
def order_list(db: SessionDep, account: UnitReader) -> list[dict[str, Any]]:
    """The unit's supervision orders (督办单) with 签收, replies and status."""
    return [_order_json(o, c) for o, c, _ in my_orders(db, account)]


def _unit_code(context: WebContext, account: Account, cycle_key: str, number: int) -> str:
    for db in get_db(context):
        return str(my_order(db, account, cycle_key, number)[2].code)
    raise AssertionError("unreachable")


@router.post("/orders/{cycle_key}/{number}/acknowledge")
def acknowledge(request: Request, cycle_key: str, number: int, context: ContextDep, account: UnitActing) -> dict[str, Any]:
    """签收 the order (once; again changes nothing)."""
    unit = _unit_code(context, account, cycle_key, number)
    return orders.acknowledge(context.services(), orders.AcknowledgeOrder(actor_of(account), cycle_key, unit, number,
                                                                          origin_of(request).detail())).to_json()


@router.post("/orders/{cycle_key}/{number}/replies", status_code=201)
def reply(request: Request, cycle_key: str, number: int, body: ReplyBody, context: ContextDep, account: UnitActing) -> dict[str, Any]:
    """Reply to the order (signing for it if not yet signed)."""
    unit = _unit_code(context, account, cycle_key, number)
    return orders.reply(context.services(), orders.ReplyOrder(actor_of(account), cycle_key, unit, number, body.text,
                                                              origin_of(request).detail())).to_json()


@router.get("/verify")
def verify_list(db: SessionDep, account: VerifierReader) -> list[dict[str, Any]]:
    """The units the verifier verifies, with totals, disagreements and sign-off."""
    def text(value: Any) -> str | None:
        return None if value is None else format(value, "f")

    return [{"cycle": u.cycle, "unit": u.code, "name": u.name, "township": u.township, "self_total": text(u.self_total),
             "verified_total": text(u.verified_total), "changed": u.changed, "state": u.state,
             "signed_at": u.signed_at.isoformat() if u.signed_at else None, "signed_by": u.signed_by}
            for u in verified_units(db, account.unit_code or "")]


def _comparison(cycle: str, unit: str, comparison: ScoreComparison, signed: dict[str, Any] | None) -> dict[str, Any]:
    return {"cycle": cycle, "unit": unit, **comparison.to_json(), "signed_off": signed}


@router.get("/verify/{cycle_key}/{unit_code}")
def verify_unit(cycle_key: str, unit_code: str, db: SessionDep, account: VerifierReader) -> dict[str, Any]:
    """One unit's self-scores beside the verified scores, item by item, and its sign-off."""
    cycle, unit = unit_in_charge(db, account.unit_code or "", cycle_key, unit_code)
    view = verification_view(db, cycle, unit)
    signed = {"at": view.signoff.signed_at.isoformat(), "by": view.signoff.signed_by} if view.signoff else None
    return _comparison(cycle.key, unit.code, view.comparison, signed)


def _in_charge(context: WebContext, account: Account, cycle_key: str, unit_code: str) -> None:
    for db in get_db(context):
        unit_in_charge(db, account.unit_code or "", cycle_key, unit_code)


def _verified(result: Verified) -> dict[str, Any]:
    return result.to_json()


@router.put("/verify/{cycle_key}/{unit_code}/scores")
async def put_scores(cycle_key: str, unit_code: str, body: ScoresBody, context: ContextDep, account: VerifierActing) -> dict[str, Any]:
    """Replace the verified scores (every item listed; checked like a sheet); ``sign_off`` signs them too."""
    await run_in_threadpool(_in_charge, context, account, cycle_key, unit_code)
    command = EnterScores(actor_of(account), cycle_key, unit_code, [EnteredScore(s.item, s.score, s.note) for s in body.scores],
                          sign_off=body.sign_off)
    return _verified(await run_in_threadpool(enter_scores, context.services(), command))


@router.post("/verify/{cycle_key}/{unit_code}/sign-off")
async def sign_off(cycle_key: str, unit_code: str, context: ContextDep, account: VerifierActing) -> dict[str, Any]:
    """Sign the verified scores as they stand."""
    await run_in_threadpool(_in_charge, context, account, cycle_key, unit_code)
    return _verified(await run_in_threadpool(sign_off_scores, context.services(), SignOff(actor_of(account), cycle_key, unit_code)))
