"""The JSON API under ``/api`` for machines (token: ``Authorization: Bearer kh_…`` from
``kaohe accounts token``); a logged-in browser may call it too. OpenAPI at ``/api/openapi.json``."""

from __future__ import annotations

import secrets
import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from kaohe.db import calendar_of
from kaohe.errors import InputError
from kaohe.models import Account
from kaohe.services import queries
from kaohe.store.cycles import list_cycles
from kaohe.web import actions
from kaohe.web.deps import ContextDep, CurrentAccount, SessionDep, check_csrf, may_see_cycle, require
from kaohe.web.queries import OverdueFilter, cycle_board, cycles_overview, my_tasks, overdue_list
from kaohe.web.routes.board import OVERSEERS, visible_cycle
from kaohe.web.uploads import receive_upload

router = APIRouter(prefix="/api", tags=["api"])
Overseer = Annotated[Account, Depends(require(*OVERSEERS))]
UnitAccount = Annotated[Account, Depends(require("unit"))]


@router.get("/me")
def me(account: CurrentAccount) -> dict[str, Any]:
    """The account the token or session acts as."""
    return {"account": account.name, "role": account.role, "unit": account.unit_code, "cycles": account.cycles}


@router.get("/tasks")
def tasks(db: SessionDep, context: ContextDep, account: UnitAccount) -> list[dict[str, Any]]:
    """The unit's obligations: due date, working days left (negative: overdue), what to hand in, status."""
    return [{"cycle": t.cycle, "stage": t.stage, "stage_name": t.stage_name, "due": t.due.isoformat(), "status": t.status,
             "working_days": t.days, "submit": t.submit, "versions": t.versions}
            for t in my_tasks(db, calendar_of(db), account.unit_code or "", context.now())]


@router.post("/tasks/{cycle_key}/{stage_key}/submissions", status_code=201)
async def submit(request: Request, cycle_key: str, stage_key: str, context: ContextDep, account: UnitAccount) -> dict[str, Any]:
    """Hand in ``report`` (and ``scores``) as multipart/form-data; answers with the receipt."""
    settings = context.settings
    target = settings.home / "uploads" / secrets.token_hex(12)
    try:
        form = await receive_upload(request, target, max_bytes=settings.web_upload_max_mb * 1024 * 1024)
        check_csrf(request, form.fields.get("csrf_token"))
        files = {f.field: f for f in form.files}
        if "report" not in files:
            raise InputError("缺少文件字段 report")
        scores = files.get("scores")
        result = await run_in_threadpool(actions.submit_files, context.services(), account, cycle_key, stage_key,
                                         report=files["report"], scores=scores, now=context.now())
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return result.to_json()


@router.get("/cycles")
def cycles(db: SessionDep, context: ContextDep, account: Overseer) -> list[dict[str, Any]]:
    """The cycles the account oversees."""
    rows = cycles_overview(db, [c for c in list_cycles(db) if may_see_cycle(account, c)], context.now())
    return [{"cycle": r.key, "title": r.title, "status": r.status, "phase": r.phase, "units": r.units,
             "next_deadline": r.next_deadline.isoformat() if r.next_deadline else None, "next_stage": r.next_stage} for r in rows]


@router.get("/cycles/{key}/board")
def board(key: str, db: SessionDep, context: ContextDep, account: Overseer) -> list[dict[str, Any]]:
    """Per stage: obliged, done on time, done late, overdue, pending."""
    cycle = visible_cycle(db, account, key)
    return [{"stage": r.stage, "name": r.name, "due": r.due.isoformat(), "obliged": r.obliged, "done": r.done,
             "done_late": r.done_late, "overdue": r.overdue, "pending": r.pending} for r in cycle_board(db, cycle, context.now())]


@router.get("/cycles/{key}/overdue")
def overdue(request: Request, key: str, db: SessionDep, context: ContextDep, account: Overseer) -> list[dict[str, Any]]:
    """Units overdue, filtered like the page (``stage``, ``region``, ``city``, ``county``, ``township``, ``kind``)."""
    cycle = visible_cycle(db, account, key)
    rows = overdue_list(db, calendar_of(db), cycle, context.now(), OverdueFilter.from_query(request.query_params))
    return [{"unit": r.unit, "name": r.unit_name, **r.attributes, "stage": r.stage, "due": r.due.isoformat(),
             "overdue_working_days": r.overdue_days, "last_reminder": {
                 "at": r.reminder_at.isoformat() if r.reminder_at else None, "channel": r.reminder_channel, "status": r.reminder_status},
             "supervisor": r.supervisor} for r in rows]


@router.get("/cycles/{key}/orders")
def orders(key: str, db: SessionDep, context: ContextDep, account: Overseer) -> list[dict[str, Any]]:
    """The cycle's supervision orders (督办单): unit, issue, due date, status, the unit's 签收 (``acknowledged_at``,
    ``acknowledged_by``), its replies and the scores, Beijing time. A unit reads its own at ``/api/orders``."""
    visible_cycle(db, account, key)
    return queries.list_orders(context.services(), key)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, account: CurrentAccount) -> dict[str, Any]:
    """The API's OpenAPI description (to logged-in accounts and token holders)."""
    schema: dict[str, Any] = request.app.openapi()
    return schema
