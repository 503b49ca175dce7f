"""Results: the leader approves them step by step, the coordinator sends them, a unit reads its own and its letter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kaohe.errors import KaoheError
from kaohe.models import Account, Cycle, Unit
from kaohe.services.queries import result_approval
from kaohe.store.results import latest_version, unit_records
from kaohe.web import actions
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, NotFound, SessionDep, origin_of, require, require_form
from kaohe.web.office import services
from kaohe.web.queries import cycle_title, unit_result
from kaohe.web.routes.board import Overseer, visible_cycle
from kaohe.web.unit_queries import unit_cycles

router = APIRouter(include_in_schema=False)
UnitAccount = Annotated[Account, Depends(require("unit"))]


def _results_page(request: Request, db: SessionDep, account: Account, cycle: Cycle, status_code: int = 200,
                  error: str | None = None, notice: str | None = None) -> Response:
    version = latest_version(db, cycle)
    records = unit_records(db, version) if version else []
    return render(request, "results.html", status_code=status_code, cycle=cycle, version=version, records=records,
                  approval=result_approval(services(request), cycle.key), error=error, notice=notice, account=account)


@router.get("/cycles/{key}/results")
def results(request: Request, key: str, db: SessionDep, account: Overseer) -> Response:
    """The newest result version, its approval steps and what can be done next."""
    return _results_page(request, db, account, visible_cycle(db, account, key))


@router.post("/cycles/{key}/results/approve")
def approve(request: Request, key: str, db: SessionDep, context: ContextDep,
            account: Annotated[Account, Depends(require_form("leader", "admin"))], step: Annotated[str, Form()]) -> Response:
    """Record the next approval step (leader)."""
    cycle = visible_cycle(db, account, key)
    try:
        actions.approve_results(services(request), account, cycle.key, step, origin=origin_of(request).detail())
    except KaoheError as error:
        return _results_page(request, db, account, cycle, 400, error=str(error))
    return RedirectResponse(f"/cycles/{key}/results", status_code=303)


@router.post("/cycles/{key}/results/send")
async def send(request: Request, key: str, context: ContextDep,
               account: Annotated[Account, Depends(require_form("coordinator", "admin"))]) -> Response:
    """Send the approved results and letters to the units."""
    def act() -> Response:
        from kaohe.web.deps import get_db

        for db in get_db(context):
            cycle = visible_cycle(db, account, key)
            try:
                outcome = actions.send_results(services(request), account, cycle.key)
            except KaoheError as error:
                return _results_page(request, db, account, cycle, 400, error=str(error))
            db.expire_all()
            notice = f"已向各单位发送第{outcome.version}版结果" if outcome.sent else str(outcome.reason)
            return _results_page(request, db, account, cycle, notice=notice)
        raise AssertionError("unreachable")

    return await run_in_threadpool(act)


def _my_units(db: SessionDep, account: Account) -> list[tuple[Cycle, Unit]]:
    return unit_cycles(db, account.unit_code)


@router.get("/results")
def my_results(request: Request, db: SessionDep, account: UnitAccount) -> Response:
    """The unit's results in every cycle whose results were sent to it."""
    items = []
    for cycle, unit in _my_units(db, account):
        found = unit_result(db, cycle, unit)
        items.append({"cycle": cycle, "title": cycle_title(cycle), "result": found})
    return render(request, "my_results.html", items=items)


@router.get("/results/{key}/letter")
def my_letter(key: str, db: SessionDep, context: ContextDep, account: UnitAccount) -> Response:
    """The unit's feedback letter (DOCX) of the newest version sent to it."""
    unit = next((u for c, u in _my_units(db, account) if c.key == key), None)
    if unit is None:
        raise NotFound()
    found = unit_result(db, unit.cycle, unit)
    if found is None or not found[1].letter_path:
        raise NotFound("结果尚未发布")
    path = (context.settings.home / found[1].letter_path).resolve()
    if not path.is_relative_to(context.settings.home.resolve()) or not path.is_file():
        raise NotFound("反馈函文件不在存储中")
    return FileResponse(path, filename=path.name)
