"""A unit's supervision orders (督办单): the list, one order with 签收 (sign for it), a reply, and 办结 with its evidence."""

from __future__ import annotations

import secrets
import shutil
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kaohe.errors import InputError, KaoheError
from kaohe.evidence.orders import order_no
from kaohe.models import Account, Cycle, SupervisionOrder, Unit
from kaohe.services import orders
from kaohe.services.uploads import Upload
from kaohe.web.actions import actor_of
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, NotFound, SessionDep, WebContext, check_csrf, get_db, origin_of, require, require_form
from kaohe.web.unit_queries import unit_orders
from kaohe.web.uploads import receive_upload

router = APIRouter(include_in_schema=False)
UnitAccount = Annotated[Account, Depends(require("unit"))]
UnitForm = Annotated[Account, Depends(require_form("unit"))]
NOTICES = {"acknowledged": "已签收", "replied": "回复已提交", "closed": "已办结，佐证材料已存档"}


def my_orders(db: Session, account: Account) -> list[tuple[SupervisionOrder, Cycle, Unit]]:
    """The unit's orders in every cycle, newest first."""
    return unit_orders(db, account.unit_code)


def my_order(db: Session, account: Account, cycle_key: str, number: int) -> tuple[SupervisionOrder, Cycle, Unit]:
    """One of the unit's own orders; 404 for any other (another unit's order answers like one that does not exist)."""
    found = next(((o, c, u) for o, c, u in my_orders(db, account) if c.key == cycle_key and o.number == number), None)
    if found is None:
        raise NotFound("没有这份督办单")
    return found


@router.get("/orders")
def order_list(request: Request, db: SessionDep, account: UnitAccount) -> Response:
    """Every supervision order issued to the unit: due date, 签收, replies, status."""
    rows = [(o, c, order_no(c.year, o.number)) for o, c, _ in my_orders(db, account)]
    return render(request, "unit_orders.html", rows=rows)


@router.get("/orders/{cycle_key}/{number}")
def order_page(request: Request, cycle_key: str, number: int, db: SessionDep, account: UnitAccount, notice: str | None = None) -> Response:
    """One order: what to do by when, 签收, the replies, 办结 with evidence, the office's scoring feedback."""
    return _page(request, db, account, cycle_key, number, notice=NOTICES.get(notice or ""))


def _page(request: Request, db: Session, account: Account, cycle_key: str, number: int, *, status_code: int = 200,
          error: str | None = None, notice: str | None = None, reply_text: str = "") -> Response:
    order, cycle, unit = my_order(db, account, cycle_key, number)
    return render(request, "unit_order.html", status_code=status_code, order=order, cycle=cycle, unit=unit,
                  number_text=order_no(cycle.year, order.number), error=error, notice=notice, reply_text=reply_text)


def _done(cycle_key: str, number: int, what: str) -> Response:
    return RedirectResponse(f"/orders/{cycle_key}/{number}?notice={what}", status_code=303)


def _refused(request: Request, context: WebContext, account: Account, cycle_key: str, number: int, error: KaoheError,
             reply_text: str = "") -> Response:
    for db in get_db(context):
        return _page(request, db, account, cycle_key, number, status_code=400, error=str(error), reply_text=reply_text)
    raise AssertionError("unreachable")


def _unit_of(context: WebContext, account: Account, cycle_key: str, number: int) -> str:
    for db in get_db(context):
        return str(my_order(db, account, cycle_key, number)[2].code)
    raise AssertionError("unreachable")


@router.post("/orders/{cycle_key}/{number}/acknowledge")
def acknowledge(request: Request, cycle_key: str, number: int, context: ContextDep, account: UnitForm) -> Response:
    """签收: the unit confirms it received the order (recorded once, audited with address and browser)."""
    unit = _unit_of(context, account, cycle_key, number)
    try:
        orders.acknowledge(context.services(), orders.AcknowledgeOrder(actor_of(account), cycle_key, unit, number,
                                                                       origin_of(request).detail()))
    except KaoheError as error:
        return _refused(request, context, account, cycle_key, number, error)
    return _done(cycle_key, number, "acknowledged")


@router.post("/orders/{cycle_key}/{number}/reply")
def reply(request: Request, cycle_key: str, number: int, context: ContextDep, account: UnitForm,
          text: Annotated[str, Form()] = "") -> Response:
    """回复: the unit's answer to the order, kept with it (signing for it too if not yet signed)."""
    unit = _unit_of(context, account, cycle_key, number)
    try:
        orders.reply(context.services(), orders.ReplyOrder(actor_of(account), cycle_key, unit, number, text, origin_of(request).detail()))
    except KaoheError as error:
        return _refused(request, context, account, cycle_key, number, error, reply_text=text)
    return _done(cycle_key, number, "replied")


@router.post("/orders/{cycle_key}/{number}/close")
async def close(request: Request, cycle_key: str, number: int, context: ContextDep, account: UnitAccount) -> Response:
    """办结: the evidence file (streamed to disk and hashed as it arrives) closes the order."""
    target = context.settings.home / "uploads" / secrets.token_hex(12)
    try:
        try:
            form = await receive_upload(request, target, max_bytes=context.settings.web_upload_max_mb * 1024 * 1024)
        except InputError as error:
            await run_in_threadpool(_unit_of, context, account, cycle_key, number)
            return await run_in_threadpool(_refused, request, context, account, cycle_key, number, error)
        check_csrf(request, form.fields.get("csrf_token"))
        await run_in_threadpool(_unit_of, context, account, cycle_key, number)  # 404 for an order not its own
        evidence = next((f for f in form.files if f.field == "evidence" and f.size > 0), None)
        if evidence is None:
            return await run_in_threadpool(_refused, request, context, account, cycle_key, number, InputError("请选择佐证材料文件"))
        command = orders.CloseOrder(actor_of(account), cycle_key, number, Upload(evidence.file_name, path=evidence.path))
        try:
            await run_in_threadpool(orders.close, context.services(), command)
        except KaoheError as error:
            return await run_in_threadpool(_refused, request, context, account, cycle_key, number, error)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return _done(cycle_key, number, "closed")


@router.get("/orders/{cycle_key}/{number}/evidence")
def evidence(cycle_key: str, number: int, db: SessionDep, context: ContextDep, account: UnitAccount) -> Response:
    """The evidence file the unit closed its order with."""
    order, _, _ = my_order(db, account, cycle_key, number)
    if not order.evidence_path:
        raise NotFound("尚无佐证材料")
    path = (context.settings.home / order.evidence_path).resolve()
    if not path.is_relative_to(context.settings.home.resolve()) or not path.is_file():
        raise NotFound("文件不在存储中")
    return FileResponse(path, filename=order.evidence_file_name or path.name)
