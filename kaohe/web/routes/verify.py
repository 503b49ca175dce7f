"""The verifier's pages: the units it verifies; one unit's self-scores beside the verified scores, entered in a
form or uploaded as a sheet; the differences; the sign-off that freezes them."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kaohe.errors import InputError, KaoheError
from kaohe.models import Account
from kaohe.services.uploads import Upload
from kaohe.services.verification import EnteredScore, EnterScores, SignOff, VerifyScores, enter_scores, sign_off_scores, verify_scores
from kaohe.web.actions import actor_of
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, SessionDep, WebContext, check_csrf, get_db, require, require_form
from kaohe.web.uploads import receive_upload
from kaohe.web.verifying import unit_in_charge, verification_view, verified_units

router = APIRouter(include_in_schema=False)
Verifier = Annotated[Account, Depends(require("verifier"))]
VerifierForm = Annotated[Account, Depends(require_form("verifier"))]


@router.get("/verify")
def verify_list(request: Request, db: SessionDep, context: ContextDep, account: Verifier) -> Response:
    """The units this verifier verifies, with their totals, disagreements and sign-off; and its own deadlines."""
    from kaohe.web.queries import my_tasks

    own = my_tasks(db, context.services().calendar, account.unit_code or "", context.now())
    return render(request, "verify_list.html", units=verified_units(db, account.unit_code or ""), own=own)


@router.get("/verify/{cycle_key}/{unit_code}")
def verify_page(request: Request, cycle_key: str, unit_code: str, db: SessionDep, account: Verifier,
                notice: str | None = None) -> Response:
    """One unit: its self-scores and files, the verified scores (form or sheet), the differences, the sign-off."""
    return _page(request, db, account, cycle_key, unit_code, notice={"saved": "核查评分已保存", "signed": "已签字确认，核查评分不再修改"}.get(notice or ""))


def _page(request: Request, db: SessionDep, account: Account, cycle_key: str, unit_code: str, *, status_code: int = 200,
          errors: list[str] | None = None, notice: str | None = None, entered: dict[str, tuple[str, str]] | None = None) -> Response:
    cycle, unit = unit_in_charge(db, account.unit_code or "", cycle_key, unit_code)
    return render(request, "verify_unit.html", status_code=status_code, cycle=cycle, unit=unit, view=verification_view(db, cycle, unit),
                  errors=errors or [], notice=notice, entered=entered or {})


def _problems(error: KaoheError) -> list[str]:
    if isinstance(error, InputError):
        return [p.reason if p.file is None or p.row is None or "网页" in p.file else str(p) for p in error.problems]
    return [str(error)]


@router.post("/verify/{cycle_key}/{unit_code}/scores")
async def enter(request: Request, cycle_key: str, unit_code: str, context: ContextDep, account: VerifierForm) -> Response:
    """Save the scores typed into the form (``then=sign`` signs them off at once)."""
    form = await request.form()
    items, scores, notes = form.getlist("item"), form.getlist("score"), form.getlist("note")
    entries = [EnteredScore(str(i), str(s), str(n)) for i, s, n in zip(items, scores, notes, strict=False)]
    signing = form.get("then") == "sign"
    return await run_in_threadpool(_act, request, context, account, cycle_key, unit_code, signing,
                                   lambda: enter_scores(context.services(), EnterScores(actor_of(account), cycle_key, unit_code, entries,
                                                                                        sign_off=signing)),
                                   {e.item: (e.score, e.note) for e in entries})


@router.post("/verify/{cycle_key}/{unit_code}/upload")
async def upload(request: Request, cycle_key: str, unit_code: str, context: ContextDep, account: Verifier) -> Response:
    """Save the scores of an uploaded verification sheet (核查评分表, CSV or XLSX), streamed to disk first."""
    target = context.settings.home / "uploads" / secrets.token_hex(12)
    try:
        try:
            form = await receive_upload(request, target, max_bytes=context.settings.web_upload_max_mb * 1024 * 1024)
        except InputError as error:
            return await run_in_threadpool(_failed, request, context, account, cycle_key, unit_code, _problems(error))
        check_csrf(request, form.fields.get("csrf_token"))
        sheet = next((f for f in form.files if f.field == "sheet" and f.size > 0), None)
        if sheet is None:
            return await run_in_threadpool(_failed, request, context, account, cycle_key, unit_code, ["请选择要上传的核查评分表"])
        command = VerifyScores(actor_of(account), cycle_key, unit_code, Upload(sheet.file_name, path=sheet.path))
        return await run_in_threadpool(_act, request, context, account, cycle_key, unit_code, False,
                                       lambda: verify_scores(context.services(), command), None)
    finally:
        shutil.rmtree(target, ignore_errors=True)


@router.post("/verify/{cycle_key}/{unit_code}/sign-off")
def sign(request: Request, cycle_key: str, unit_code: str, context: ContextDep, account: VerifierForm) -> Response:
    """Sign the verified scores as they stand (refused while an item is unverified)."""
    return _act(request, context, account, cycle_key, unit_code, True,
                lambda: sign_off_scores(context.services(), SignOff(actor_of(account), cycle_key, unit_code)), None)


def _act(request: Request, context: WebContext, account: Account, cycle_key: str, unit_code: str, signing: bool,
         call: Callable[[], object], entered: dict[str, tuple[str, str]] | None) -> Response:
    for db in get_db(context):
        unit_in_charge(db, account.unit_code or "", cycle_key, unit_code)  # 404 before anything for a unit not in its charge
    try:
        call()
    except KaoheError as error:
        return _failed(request, context, account, cycle_key, unit_code, _problems(error), entered)
    return RedirectResponse(f"/verify/{cycle_key}/{unit_code}?notice={'signed' if signing else 'saved'}", status_code=303)


def _failed(request: Request, context: WebContext, account: Account, cycle_key: str, unit_code: str, errors: list[str],
            entered: dict[str, tuple[str, str]] | None = None) -> Response:
    for db in get_db(context):
        return _page(request, db, account, cycle_key, unit_code, status_code=400, errors=errors, entered=entered)
    raise AssertionError("unreachable")
