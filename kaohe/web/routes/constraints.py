"""Constraint indicators (约束指标) from the portal: an overseer uploads a sheet of verified findings and sees each unit's
deduction by the rule of the cycle's scheme (``kaohe constraints``: a what-if, nothing stored or sent), each row also
checked against the cycle's roster; a bad sheet is answered with every problem by file, row and field."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kaohe.errors import InputError, KaoheError, Problem, StateError
from kaohe.models import Account, Cycle
from kaohe.schemes.constraints import ConstraintIndicators, ConstraintResult, applies, rule_text
from kaohe.scoring.constraint_files import parse_constraints
from kaohe.services.uploads import Upload
from kaohe.store.advance import scheme_of
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, WebContext, check_csrf, get_db
from kaohe.web.routes.board import Overseer, visible_cycle
from kaohe.web.routes.office import refusal
from kaohe.web.uploads import receive_upload

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Checked:
    """A sheet's deductions, each row's disagreement with the roster (code → note), and the roster's units the
    indicators apply to that the sheet leaves out."""

    file: str
    results: Sequence[ConstraintResult]
    notes: dict[str, str]
    missing: list[tuple[str, str]]


def against_roster(cycle: Cycle, rule: ConstraintIndicators, file: str, results: Sequence[ConstraintResult]) -> Checked:
    """Compare the sheet's rows with the cycle's assessed units: unknown codes, categories that differ, units left out."""
    assessed = {u.code: u for u in cycle.units if u.role == "assessed"}
    notes = {}
    for r in results:
        unit = assessed.get(r.unit)
        if unit is None:
            notes[r.unit] = "不是本周期的被考核单位"
        elif unit.kind.strip() != r.category.strip():
            notes[r.unit] = f"名单中的类别为“{unit.kind}”"
    listed = {r.unit for r in results}
    missing = sorted((u.code, u.name) for u in assessed.values() if applies(rule, u.kind) and u.code not in listed)
    return Checked(file, results, notes, missing)


def _page(request: Request, context: WebContext, account: Account, key: str, *, status_code: int = 200,
          errors: list[str] | None = None, checked: Checked | None = None) -> Response:
    for db in get_db(context):
        cycle = visible_cycle(db, account, key)
        rule = scheme_of(cycle).constraints
        return render(request, "constraints.html", status_code=status_code, account=account, cycle=cycle, rule=rule,
                      rule_words=rule_text(rule) if rule is not None else "", errors=errors or [], checked=checked)
    raise AssertionError("unreachable")


def _check(context: WebContext, account: Account, key: str, sheet: Upload | None) -> Checked:
    for db in get_db(context):
        cycle = visible_cycle(db, account, key)
        rule = scheme_of(cycle).constraints
        if rule is None:
            raise StateError(f"周期 {cycle.key} 的考核方案没有约束指标")
        if sheet is None:
            raise InputError(Problem("请选择约束指标查实问题表文件（CSV 或 XLSX）", field="查实问题表"))
        results = parse_constraints(rule, sheet.require("约束指标查实问题表"), sheet.name)
        return against_roster(cycle, rule, sheet.name, results)
    raise AssertionError("unreachable")


@router.get("/cycles/{key}/constraints")
def constraints_page(request: Request, key: str, context: ContextDep, account: Overseer) -> Response:
    """The cycle's constraint indicators and their deduction rule, with the upload of a findings sheet."""
    return _page(request, context, account, key)


@router.post("/cycles/{key}/constraints/upload")
async def check_sheet(request: Request, key: str, context: ContextDep, account: Overseer) -> Response:
    """Each unit's deduction from the uploaded findings sheet (field ``sheet``); nothing is stored."""
    target = context.settings.home / "uploads" / secrets.token_hex(12)
    try:
        try:
            form = await receive_upload(request, target, max_bytes=context.settings.web_upload_max_mb * 1024 * 1024)
            check_csrf(request, form.fields.get("csrf_token"))
            found = next((f for f in form.files if f.field == "sheet" and f.size > 0), None)
            sheet = Upload(found.file_name, path=found.path) if found is not None else None
            checked = await run_in_threadpool(_check, context, account, key, sheet)
        except KaoheError as error:
            status, lines = refusal(error)
            return await run_in_threadpool(_page, request, context, account, key, status_code=status, errors=lines)
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return await run_in_threadpool(_page, request, context, account, key, checked=checked)
