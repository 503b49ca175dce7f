"""The office's actions in the JSON API (``/api``), for machines with a bearer token (or a logged-in browser
sending its CSRF token in ``X-CSRF-Token``): the same service calls as the portal's forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from kaohe.models import Account
from kaohe.sampling import Exclusion
from kaohe.web import office
from kaohe.web.deps import CurrentAccount, Forbidden, SessionDep, check_csrf
from kaohe.web.routes.board import visible_cycle
from kaohe.web.routes.office import DEADLINE_ROLES, ORDER_ROLES, SAMPLE_ROLES

router = APIRouter(prefix="/api", tags=["api"])
T = TypeVar("T")


def require_api(*roles: str) -> Callable[..., Account]:
    """The role, then (for a browser session) the ``X-CSRF-Token`` header; bearer tokens need no CSRF token."""

    def dependency(request: Request, account: CurrentAccount) -> Account:
        if account.role not in roles:
            raise Forbidden()
        check_csrf(request, request.headers.get("x-csrf-token"))
        return account

    dependency.__name__ = f"require_api_{'_'.join(roles)}"
    return dependency


class ExtendBody(BaseModel):
    """A new deadline (the end of that day, Beijing time), why, and for which units (none: the whole stage)."""

    to: dt.date
    reason: str = Field(min_length=1, max_length=500)
    units: list[str] = Field(default_factory=list, max_length=10000)


class CloseBody(BaseModel):
    """Why the stage's submissions end."""

    reason: str = Field(default="", max_length=500)


class ExclusionBody(BaseModel):
    """A unit kept out of the draw, and why."""

    code: str = Field(min_length=1, max_length=100)
    reason: str = Field(min_length=1, max_length=500)


class SampleBody(BaseModel):
    """``seed``: publish the seed's hash (with these exclusions); ``draw``: draw with the published seed."""

    step: Literal["seed", "draw"]
    exclusions: list[ExclusionBody] = Field(default_factory=list, max_length=10000)


class OrderBody(BaseModel):
    """A supervision order: the unit, the issue, and the day it must be settled by (Beijing time)."""

    unit: str = Field(min_length=1, max_length=100)
    issue: str = Field(min_length=1, max_length=2000)
    due: dt.date


def _run(db: SessionDep, account: Account, key: str, act: Callable[[], T]) -> T:
    visible_cycle(db, account, key)
    db.commit()  # end this request's read before the service writes
    return act()


@router.post("/cycles/{key}/stages/{stage}/extend")
def extend(request: Request, key: str, stage: str, body: ExtendBody, db: SessionDep,
           account: Annotated[Account, Depends(require_api(*DEADLINE_ROLES))]) -> dict[str, object]:
    """Move a stage's deadline; the units concerned are told, stages computed from it re-plan."""
    context = office.services(request)
    result = _run(db, account, key, lambda: office.extend(context, account, key, stage, to=body.to, reason=body.reason,
                                                          units=tuple(body.units)))
    return result.to_json()


@router.post("/cycles/{key}/stages/{stage}/close")
def close(request: Request, key: str, stage: str, body: CloseBody, db: SessionDep,
          account: Annotated[Account, Depends(require_api(*DEADLINE_ROLES))]) -> dict[str, object]:
    """End a stage's submissions (irreversible)."""
    context = office.services(request)
    result = _run(db, account, key, lambda: office.close_submissions(context, account, key, stage, reason=body.reason))
    return result.to_json()


@router.post("/cycles/{key}/stages/{stage}/sample")
def sample(request: Request, key: str, stage: str, body: SampleBody, db: SessionDep,
           account: Annotated[Account, Depends(require_api(*SAMPLE_ROLES))]) -> dict[str, Any]:
    """Publish the sampling seed's hash, then (a second call) draw; the draw's record is in the answer's fields."""
    context = office.services(request)
    exclusions = [Exclusion(e.code.strip(), e.reason.strip()) for e in body.exclusions]
    result = _run(db, account, key, lambda: office.sample(context, account, key, stage, step=body.step, exclusions=exclusions))
    return {k: v for k, v in result.items() if k != "record_file"}


@router.post("/cycles/{key}/orders", status_code=201)
def issue_order(request: Request, key: str, body: OrderBody, db: SessionDep,
                account: Annotated[Account, Depends(require_api(*ORDER_ROLES))]) -> dict[str, Any]:
    """Issue a supervision order to a unit of the cycle."""
    context = office.services(request)
    result = _run(db, account, key, lambda: office.issue_order(context, account, key, unit=body.unit, issue_text=body.issue, due=body.due))
    return result.to_json()
