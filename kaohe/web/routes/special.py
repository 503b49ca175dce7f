"""Special verification (专项核查) from the portal: a cycle's phases with the latest scoring recorded for each, and the
coordinator's upload of a phase's score sheet (``kaohe special score``), answered with what was recorded and queued,
or with every problem of a bad sheet (nothing recorded). The same upload in the JSON API for machines."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kaohe.errors import InputError, KaoheError
from kaohe.models import Account, Cycle, CycleStage
from kaohe.results.special import FEEDBACK_KIND, VERIFICATION_KIND, feedback_stage_of
from kaohe.services.actors import Role
from kaohe.services.permissions import ALLOWED, Action
from kaohe.services.uploads import Upload
from kaohe.store.advance import scheme_of
from kaohe.web import office
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, WebContext, check_csrf, get_db, require
from kaohe.web.queries import special_scorings
from kaohe.web.routes.board import Overseer, visible_cycle
from kaohe.web.routes.office import refusal
from kaohe.web.routes.office_api import require_api
from kaohe.web.uploads import ReceivedForm, receive_upload

router = APIRouter()
SCORE_ROLES = tuple(sorted(role.value for role in ALLOWED[Action.SCORE_SPECIAL_VERIFICATION] if role != Role.SYSTEM))
"""The portal's roles that may record special verification scores (the services' permission table, less the flows)."""
Scorer = Annotated[Account, Depends(require(*SCORE_ROLES))]
ApiScorer = Annotated[Account, Depends(require_api(*SCORE_ROLES))]


def phases(cycle: Cycle) -> list[tuple[CycleStage, CycleStage | None]]:
    """The cycle's special verification stages, each with the immediate-feedback stage dated from it (None: none)."""
    stages = {s.key: s for s in cycle.stages}
    scheme = scheme_of(cycle)
    found = []
    for stage in cycle.stages:
        if stage.kind == VERIFICATION_KIND:
            planned = feedback_stage_of(scheme, stage.key)
            feedback = stages.get(planned.id) if planned is not None else None
            found.append((stage, feedback if feedback is not None and feedback.kind == FEEDBACK_KIND else None))
    return found


def _page(request: Request, db: Session, account: Account, cycle: Cycle, *, status_code: int = 200, errors: list[str] | None = None,
          outcome: dict[str, Any] | None = None, chosen: str = "") -> Response:
    shown = phases(cycle)
    names = {s.key: s.name for s, _ in shown}
    notice = None
    if outcome is not None:
        corrected = f"（更正：{'、'.join(outcome['corrections'])}）" if outcome["corrections"] else ""
        notice = f"“{names.get(outcome['stage'], outcome['stage'])}”已记录 {len(outcome['scored'])} 个单位的得分，即时反馈 {outcome['messages']} 条消息{corrected}"
    return render(request, "special.html", status_code=status_code, account=account, cycle=cycle, phases=shown,
                  scorings=special_scorings(db, cycle), units={u.code: u.name for u in cycle.units}, errors=errors or [],
                  notice=notice, outcome=outcome, chosen=chosen or (shown[0][0].key if shown else ""),
                  may_score=account.role in SCORE_ROLES)


@contextmanager
def _session(context: WebContext) -> Iterator[Session]:
    yield from get_db(context)


def _answer(request: Request, context: WebContext, account: Account, key: str, **shown: Any) -> Response:
    with _session(context) as db:
        return _page(request, db, account, visible_cycle(db, account, key), **shown)


def _check_visible(context: WebContext, account: Account, key: str) -> None:
    with _session(context) as db:
        visible_cycle(db, account, key)


def _sheet(form: ReceivedForm) -> Upload | None:
    found = next((f for f in form.files if f.field == "scores" and f.size > 0), None)
    return Upload(found.file_name, path=found.path) if found is not None else None


async def _received(request: Request, context: WebContext, target: Path) -> ReceivedForm:
    return await receive_upload(request, target, max_bytes=context.settings.web_upload_max_mb * 1024 * 1024)


@router.get("/cycles/{key}/special", include_in_schema=False)
def special_page(request: Request, key: str, context: ContextDep, account: Overseer) -> Response:
    """The cycle's special verification phases (dates, feedback stage, latest scoring) and, for the office, the upload."""
    return _answer(request, context, account, key)


@router.post("/cycles/{key}/special/upload", include_in_schema=False)
async def upload(request: Request, key: str, context: ContextDep, account: Scorer) -> Response:
    """Record a phase's scores from the uploaded sheet (fields ``stage``, ``scores``); the page says what was recorded
    and queued, or every problem of the sheet."""
    target = context.settings.home / "uploads" / secrets.token_hex(12)
    stage = ""
    try:
        try:
            form = await _received(request, context, target)
            check_csrf(request, form.fields.get("csrf_token"))
            stage = form.fields.get("stage", "")
            await run_in_threadpool(_check_visible, context, account, key)
            result = await run_in_threadpool(office.score_special, office.services(request), account, key, stage, scores=_sheet(form))
        except KaoheError as error:
            status, lines = refusal(error)
            return await run_in_threadpool(_answer, request, context, account, key, status_code=status, errors=lines, chosen=stage)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return await run_in_threadpool(_answer, request, context, account, key, outcome=result.to_json(), chosen=stage)


@router.post("/api/cycles/{key}/special/{stage}/scores", tags=["api"], status_code=201)
async def api_upload(request: Request, key: str, stage: str, context: ContextDep, account: ApiScorer) -> Any:
    """Record special verification ``stage``'s scores from the sheet in the multipart field ``scores`` (CSV or XLSX);
    answers with what was recorded and queued, or 400 with ``problems`` (file, row and field of each; nothing recorded)."""
    target = context.settings.home / "uploads" / secrets.token_hex(12)
    try:
        form = await _received(request, context, target)
        await run_in_threadpool(_check_visible, context, account, key)
        result = await run_in_threadpool(office.score_special, context.services(), account, key, stage, scores=_sheet(form))
    except InputError as error:
        return JSONResponse({"detail": str(error), "problems": error.details()}, status_code=400)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return result.to_json()
