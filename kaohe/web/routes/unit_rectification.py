"""A unit's rectification items (整改事项), each with its own evidence upload, ending on the receipt."""

from __future__ import annotations

import secrets
import shutil
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kaohe.errors import InputError, KaoheError, NotFoundError, StateError
from kaohe.models import Account, Cycle, Obligation, RectificationItem, Submission
from kaohe.services import rectification
from kaohe.services.uploads import Upload
from kaohe.store.results import RECTIFICATION_KIND, list_rectifications, stage_of_kind
from kaohe.web.actions import actor_of
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, NotFound, SessionDep, WebContext, check_csrf, get_db, require
from kaohe.web.queries import cycle_title
from kaohe.web.unit_queries import obligation_files, unit_cycles
from kaohe.web.uploads import receive_upload

router = APIRouter(include_in_schema=False)
UnitAccount = Annotated[Account, Depends(require("unit"))]
ITEM_STATUS = {"open": "待整改", "reported": "已报送，待验收", "accepted": "验收通过", "rejected": "未通过，须重新报送", "withdrawn": "已撤销"}


@dataclass(frozen=True)
class Rectification:
    """One cycle's rectification of the unit: the obligation, the stage, each item with its evidence versions."""

    cycle: Cycle
    title: str
    stage_key: str
    obligation: Obligation
    items: list[tuple[RectificationItem, list[Submission]]]


def my_rectifications(db: Session, account: Account) -> list[Rectification]:
    """The unit's rectification in every cycle that asks one of it."""
    found = []
    for cycle, _unit in unit_cycles(db, account.unit_code):
        stage = stage_of_kind(cycle, RECTIFICATION_KIND)
        if stage is None:
            continue
        for _unit, obligation, items in list_rectifications(db, cycle, account.unit_code):
            files: dict[str, list[Submission]] = {}
            for row in obligation_files(db, obligation.id):
                files.setdefault(row.kind, []).append(row)
            found.append(Rectification(cycle, cycle_title(cycle), stage.key, obligation,
                                       [(item, files.get(rectification.ITEM_KIND.format(number=item.number), [])) for item in items]))
    return found


@router.get("/rectification")
def rectification_page(request: Request, db: SessionDep, account: UnitAccount) -> Response:
    """Every rectification item of the unit: its text, status, review and evidence; an upload per item."""
    return _page(request, db, account)


def _page(request: Request, db: Session, account: Account, *, status_code: int = 200, error: str | None = None,
          item: int | None = None) -> Response:
    return render(request, "unit_rectification.html", status_code=status_code, rectifications=my_rectifications(db, account),
                  item_status=ITEM_STATUS, error=error, failed_item=item, max_mb=request.app.state.web.settings.web_upload_max_mb)


def _refused(request: Request, context: WebContext, account: Account, message: str, item: int) -> Response:
    for db in get_db(context):
        return _page(request, db, account, status_code=400, error=message, item=item)
    raise AssertionError("unreachable")


@router.post("/rectification/{cycle_key}/{item}/upload")
async def upload(request: Request, cycle_key: str, item: int, context: ContextDep, account: UnitAccount) -> Response:
    """One item's evidence, streamed to disk and hashed as it arrives, handed in; on to the receipt."""
    target = context.settings.home / "uploads" / secrets.token_hex(12)
    try:
        try:
            form = await receive_upload(request, target, max_bytes=context.settings.web_upload_max_mb * 1024 * 1024)
        except InputError as error:
            return await run_in_threadpool(_refused, request, context, account, str(error), item)
        check_csrf(request, form.fields.get("csrf_token"))
        evidence = next((f for f in form.files if f.field == "evidence" and f.size > 0), None)
        if evidence is None:
            return await run_in_threadpool(_refused, request, context, account, "请选择该整改事项的佐证材料文件", item)
        command = rectification.SubmitRectificationItem(actor_of(account), cycle_key, account.unit_code or "", item,
                                                        Upload(evidence.file_name, path=evidence.path))
        try:
            result = await run_in_threadpool(rectification.submit_item, context.services(), command)
        except NotFoundError:
            raise NotFound("没有这项整改事项") from None
        except KaoheError as error:
            return await run_in_threadpool(_refused, request, context, account, str(error), item)
        if {f["sha256"] for f in result["files"]} != {evidence.sha256}:
            raise StateError("存储后的文件校验值与上传时不符，请重新上传")
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return RedirectResponse(f"/receipts/{cycle_key}/{result['stage']}/{result['version']}", status_code=303)
