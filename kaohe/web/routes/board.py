"""Coordinator and admin pages: cycles, the cycle board, the overdue list (and its XLSX), a unit's page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from kaohe.db import calendar_of
from kaohe.models import Account, Cycle
from kaohe.results.special import VERIFICATION_KIND
from kaohe.store.cycles import get_cycle, list_cycles
from kaohe.store.status import unit_status
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, NotFound, SessionDep, may_see_cycle, require
from kaohe.web.queries import (
    FILTER_ATTRIBUTES,
    FILTER_NAMES,
    OverdueFilter,
    beijing_date,
    cycle_board,
    cycles_overview,
    filter_choices,
    overdue_list,
    overdue_page,
    unit_in_cycle,
    unit_submissions,
)

router = APIRouter(include_in_schema=False)
PAGE_ROWS = 500
"""The overdue page shows this many rows; the count, the filters and the XLSX export cover all of them."""
OVERSEERS = ("admin", "coordinator", "leader", "lead_assessor")
Overseer = Annotated[Account, Depends(require(*OVERSEERS))]


def visible_cycle(db: Session, account: Account, key: str) -> Cycle:
    """The cycle if the account oversees it; 404 otherwise (the same answer as a cycle that does not exist)."""
    cycle = get_cycle(db, key)
    if not may_see_cycle(account, cycle):
        raise NotFound()
    return cycle


@router.get("/cycles")
def cycles(request: Request, db: SessionDep, context: ContextDep, account: Overseer) -> Response:
    """The cycles the account oversees, with their phase and next deadline and the links of their board (orders;
    special verification and constraint indicators where the scheme has them)."""
    mine = [c for c in list_cycles(db) if may_see_cycle(account, c)]
    parents = {c.key: c.parent.key for c in mine if c.parent is not None}
    in_tree = {c.key for c in mine if c.parent is not None or c.children}
    special = {c.key for c in mine if any(s.kind == VERIFICATION_KIND for s in c.stages)}
    constraints = {c.key for c in mine if c.scheme_snapshot.get("constraints")}
    return render(request, "cycles.html", cycles=cycles_overview(db, mine, context.now()), parents=parents, in_tree=in_tree,
                  special=special, constraints=constraints)


@router.get("/cycles/{key}")
def board(request: Request, key: str, db: SessionDep, context: ContextDep, account: Overseer) -> Response:
    """Per stage: obliged, done on time, done late, overdue, pending, as bars on the dated timeline."""
    from kaohe.evidence.orders import ORDER_STAGE_KIND
    from kaohe.web.office import services
    from kaohe.web.timeline import StageDates, build_timeline

    cycle = visible_cycle(db, account, key)
    now = context.now()
    dates = [StageDates(s.key, s.name, beijing_date(s.opens_at) if s.opens_at else None, beijing_date(s.due_at), s.provisional, s.status)
             for s in sorted(cycle.stages, key=lambda s: s.position) if s.kind != ORDER_STAGE_KIND]
    return render(request, "board.html", cycle=cycle, rows=cycle_board(db, cycle, now),
                  timeline=build_timeline(dates, services(request).calendar, beijing_date(now)), in_tree=cycle.parent is not None or bool(cycle.children))


@router.get("/cycles/{key}/overdue")
def overdue(request: Request, key: str, db: SessionDep, context: ContextDep, account: Overseer) -> Response:
    """Who is overdue with what, filtered by stage and roster attributes."""
    cycle = visible_cycle(db, account, key)
    chosen = OverdueFilter.from_query(request.query_params)
    now = context.now()
    rows, total = overdue_page(db, calendar_of(db), cycle, now, chosen, PAGE_ROWS)
    query = "&".join(f"{k}={quote(v)}" for k, v in ([("stage", chosen.stage)] if chosen.stage else []) + list(chosen.attributes.items()))
    template = "overdue_rows.html" if request.headers.get("hx-request") else "overdue.html"
    return render(request, template, cycle=cycle, rows=rows, total=total, chosen=chosen, choices=filter_choices(db, cycle),
                  attributes=FILTER_ATTRIBUTES, attribute_names=FILTER_NAMES, export_query=query)


@router.get("/cycles/{key}/overdue.xlsx")
def overdue_export(request: Request, key: str, db: SessionDep, context: ContextDep, account: Overseer) -> Response:
    """The filtered overdue list as XLSX."""
    from kaohe.web.export import overdue_xlsx

    cycle = visible_cycle(db, account, key)
    now = context.now()
    chosen = OverdueFilter.from_query(request.query_params)
    rows = overdue_list(db, calendar_of(db), cycle, now, chosen)
    data = overdue_xlsx(rows, title=f"{cycle.key} 逾期单位（截至 {now.astimezone().strftime('%Y-%m-%d %H:%M')}）")
    name = f"{cycle.key}-overdue.xlsx"
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(cycle.key + '-逾期单位.xlsx')}"})


@router.get("/cycles/{key}/units/{code}")
def unit_page(request: Request, key: str, code: str, db: SessionDep, context: ContextDep, account: Overseer) -> Response:
    """A unit's obligations, submissions (versions, late flags) and every message sent to it."""
    cycle = visible_cycle(db, account, key)
    unit = unit_in_cycle(db, cycle, code)
    status = unit_status(db, cycle, unit, context.now())
    return render(request, "unit.html", cycle=cycle, unit=unit, status=status, submissions=unit_submissions(db, cycle, unit))
