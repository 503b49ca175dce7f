"""A unit's pages: my tasks, one task with its upload form and versions, the receipt, a stored file."""

from __future__ import annotations

import secrets
import shutil
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kaohe.db import calendar_of
from kaohe.errors import InputError, KaoheError, StateError
from kaohe.evidence.lateness import describe_lateness
from kaohe.models import Account, Cycle, Unit
from kaohe.store.cycles import get_cycle
from kaohe.web import actions
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, CurrentAccount, NotFound, SessionDep, check_csrf, may_see_cycle, require
from kaohe.web.queries import my_tasks, unit_in_cycle, unit_submissions
from kaohe.web.unit_queries import receipt_files, stored_submission
from kaohe.web.uploads import receive_upload

router = APIRouter(include_in_schema=False)
UnitAccount = Annotated[Account, Depends(require("unit"))]


def _task(db: SessionDep, account: Account, cycle_key: str, stage_key: str, now):  # type: ignore[no-untyped-def]
    if account.unit_code is None:
        raise NotFound()
    task = next((t for t in my_tasks(db, calendar_of(db), account.unit_code, now) if t.cycle == cycle_key and t.stage == stage_key), None)
    if task is None:
        raise NotFound("没有这项任务")
    return task


@router.get("/tasks")
def task_list(request: Request, db: SessionDep, context: ContextDep, account: UnitAccount) -> Response:
    """Every obligation of the unit: due date, working days left, what to hand in, status."""
    tasks = my_tasks(db, calendar_of(db), account.unit_code or "", context.now())
    return render(request, "tasks.html", tasks=tasks)


@router.get("/tasks/{cycle_key}/{stage_key}")
def task_page(request: Request, cycle_key: str, stage_key: str, db: SessionDep, context: ContextDep, account: UnitAccount,
              error: str | None = None) -> Response:
    """One task: what to hand in, the upload form, the versions handed in so far."""
    task = _task(db, account, cycle_key, stage_key, context.now())
    cycle = get_cycle(db, cycle_key)
    unit = unit_in_cycle(db, cycle, account.unit_code or "")
    history = unit_submissions(db, cycle, unit, stage_key)
    return render(request, "task.html", task=task, history=history, max_mb=context.settings.web_upload_max_mb, error=error)


@router.post("/tasks/{cycle_key}/{stage_key}/upload")
async def upload(request: Request, cycle_key: str, stage_key: str, context: ContextDep, account: UnitAccount) -> Response:
    """Receive the report (and self-score table) streamed to disk, then hand them in; on to the receipt."""
    settings = context.settings
    target = settings.home / "uploads" / secrets.token_hex(12)
    try:
        try:
            form = await receive_upload(request, target, max_bytes=settings.web_upload_max_mb * 1024 * 1024)
        except InputError as error:
            return await _upload_failed(request, context, account, cycle_key, stage_key, str(error))
        check_csrf(request, form.fields.get("csrf_token"))
        files = {f.field: f for f in form.files}
        report = files.get("report")
        if report is None or report.size == 0:
            return await _upload_failed(request, context, account, cycle_key, stage_key, "请选择要上传的报告文件")
        scores = files.get("scores")
        if scores is not None and scores.size == 0:
            scores = None
        try:
            result = await run_in_threadpool(actions.submit_files, context.services(), account, cycle_key, stage_key,
                                             report=report, scores=scores, now=context.now())
        except KaoheError as error:
            return await _upload_failed(request, context, account, cycle_key, stage_key, str(error))
        streamed = {report.sha256} | ({scores.sha256} if scores else set())
        if {f.sha256 for f in result.files} != streamed:
            raise StateError("存储后的文件校验值与上传时不符，请重新上传")
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return RedirectResponse(f"/receipts/{cycle_key}/{stage_key}/{result.version}", status_code=303)


async def _upload_failed(request: Request, context: ContextDep, account: Account, cycle_key: str, stage_key: str, message: str) -> Response:
    def page() -> Response:
        from kaohe.web.deps import get_db

        for db in get_db(context):
            task = _task(db, account, cycle_key, stage_key, context.now())
            unit = unit_in_cycle(db, get_cycle(db, cycle_key), account.unit_code or "")
            history = unit_submissions(db, get_cycle(db, cycle_key), unit, stage_key)
            return render(request, "task.html", status_code=400, task=task, history=history,
                          max_mb=context.settings.web_upload_max_mb, error=message)
        raise AssertionError("unreachable")

    return await run_in_threadpool(page)


def _visible_unit(db: SessionDep, account: Account, cycle: Cycle, unit_code: str) -> Unit:
    """The unit if ``account`` may see it: its own unit, a unit it verifies, or any unit of a cycle it oversees; else 404."""
    if account.role == "unit":
        if account.unit_code != unit_code:
            raise NotFound()
    elif account.role == "verifier":
        from kaohe.web.verifying import unit_in_charge

        unit_in_charge(db, account.unit_code or "", cycle.key, unit_code)
    elif not may_see_cycle(account, cycle):
        raise NotFound()
    return unit_in_cycle(db, cycle, unit_code)


@router.get("/receipts/{cycle_key}/{stage_key}/{version}")
def receipt(request: Request, cycle_key: str, stage_key: str, version: int, db: SessionDep, context: ContextDep,
            account: CurrentAccount, unit: str | None = None) -> Response:
    """The printable receipt (回执) of one submitted version."""
    cycle = get_cycle(db, cycle_key)
    unit_row = _visible_unit(db, account, cycle, unit or account.unit_code or "")
    rows = receipt_files(db, unit_row, stage_key, version)
    if not rows:
        raise NotFound("没有这份回执")
    first, stage = rows[0]
    return render(request, "receipt.html", cycle=cycle, unit=unit_row, stage=stage, version=version, files=[r for r, _ in rows],
                  submitted_at=first.submitted_at, submitted_by=first.submitted_by, late=first.late_by_seconds > 0,
                  lateness=describe_lateness(first.late_by_seconds), due=None)


@router.get("/files/{submission_id}")
def stored_file(submission_id: int, db: SessionDep, context: ContextDep, account: CurrentAccount) -> Response:
    """A stored file, to its own unit or to those who oversee its cycle (404 to anyone else)."""
    found = stored_submission(db, submission_id)
    if found is None:
        raise NotFound()
    row, unit, cycle = found
    _visible_unit(db, account, cycle, unit.code)
    path = (context.settings.home / row.stored_path).resolve()
    if not path.is_relative_to(context.settings.home.resolve()) or not path.is_file():
        raise NotFound("文件不在存储中")
    return FileResponse(path, filename=row.file_name)
