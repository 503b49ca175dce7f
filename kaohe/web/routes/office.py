"""The office's pages and actions: a stage (extend its deadline, close its submissions, publish the sampling
seed's hash and draw), supervision orders, the cycle tree with each level's dates, and the result documents.

Every action is a form posted with its CSRF token, confirmed in the browser (htmx ``hx-confirm``), and
answered with the page again saying what was done (or, with status 400/403/404, why not)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.orm import Session

from kaohe.clock import BEIJING
from kaohe.errors import KaoheError
from kaohe.models import Account, Cycle
from kaohe.store.orders import list_orders
from kaohe.store.results import get_version
from kaohe.store.samples import get_draw, verify_stored
from kaohe.store.submissions import closure_of, get_stage
from kaohe.web import office
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, NotFound, SessionDep, may_see_cycle, require_form
from kaohe.web.queries import cycle_board, cycle_title, letter_path
from kaohe.web.routes.board import Overseer, visible_cycle

router = APIRouter(include_in_schema=False)
DEADLINE_ROLES = ("admin", "coordinator")
SAMPLE_ROLES = ("admin", "coordinator", "lead_assessor")
ORDER_ROLES = ("admin", "coordinator", "leader")
DeadlineForm = Annotated[Account, Depends(require_form(*DEADLINE_ROLES))]
SampleForm = Annotated[Account, Depends(require_form(*SAMPLE_ROLES))]
OrderForm = Annotated[Account, Depends(require_form(*ORDER_ROLES))]
DOCUMENTS = {"report.pdf": "考核报告.pdf", "report.docx": "考核报告.docx", "ranking.xlsx": "考核排名.xlsx", "ranking.pdf": "考核排名.pdf"}
"""The result documents an overseer downloads, by the name in their address."""


def _stage_page(request: Request, db: Session, account: Account, cycle: Cycle, stage_key: str, *, status_code: int = 200,
                error: str | list[str] | None = None, notice: str | None = None) -> Response:
    stage = get_stage(db, cycle, stage_key)
    row = next((r for r in cycle_board(db, cycle, request.app.state.web.now()) if r.stage == stage.key), None)
    draw = get_draw(db, stage) if stage.kind == "sampling" else None
    check = verify_stored(db, cycle, stage) if draw is not None and draw.record is not None else None
    units = {u.code: u.name for u in cycle.units}
    return render(request, "stage.html", status_code=status_code, account=account, cycle=cycle, stage=stage, row=row,
                  closure=closure_of(db, stage), draw=draw, check=check, units=units, errors=_lines(error), notice=notice,
                  may_extend=account.role in DEADLINE_ROLES, may_sample=account.role in SAMPLE_ROLES)


def _lines(error: str | list[str] | None) -> list[str]:
    return [] if error is None else [error] if isinstance(error, str) else error


FIELD_NAMES = {"--to": "新截止日期", "--due": "办结时限", "--exclude": "排除单位", "--rule": "抽样规则", "--reason": "理由"}
"""The services name their fields as the CLI's options; the pages name them as their forms do."""


def refusal(error: KaoheError) -> tuple[int, list[str]]:
    """A service's refusal as the page answers it: the status (404, 403, else 400) and one line per problem, each
    field named as the page's form names it."""
    from dataclasses import replace

    from kaohe.errors import AuthError, InputError, NotFoundError

    status = 404 if isinstance(error, NotFoundError) else 403 if isinstance(error, AuthError) else 400
    if isinstance(error, InputError):
        return status, [str(replace(p, field=FIELD_NAMES.get(p.field, p.field) if p.field else None)) for p in error.problems]
    return status, [str(error)]


@router.get("/cycles/{key}/stages/{stage}")
def stage_page(request: Request, key: str, stage: str, db: SessionDep, account: Overseer) -> Response:
    """A stage: its dates and counts, whether submissions are closed, its draw; the actions the account may take."""
    return _stage_page(request, db, account, visible_cycle(db, account, key), stage)


def _act(request: Request, db: Session, account: Account, key: str, stage: str, action: Any, done: Any) -> Response:
    """Run ``action()`` (a service call) for a visible cycle and answer with the stage page and ``done(result)``."""
    cycle = visible_cycle(db, account, key)
    get_stage(db, cycle, stage)
    db.commit()  # end this request's read (nothing expired): the service writes on its own connection, read afresh after it
    try:
        result = action()
    except KaoheError as error:
        status, lines = refusal(error)
        db.expire_all()
        return _stage_page(request, db, account, cycle, stage, status_code=status, error=lines)
    db.expire_all()
    return _stage_page(request, db, account, cycle, stage, notice=done(result))


@router.post("/cycles/{key}/stages/{stage}/extend")
def extend(request: Request, key: str, stage: str, db: SessionDep, account: DeadlineForm, to: Annotated[str, Form()] = "",
           reason: Annotated[str, Form()] = "", units: Annotated[str, Form()] = "") -> Response:
    """Move the stage's deadline for everyone (or the listed units); the units concerned are told."""
    context = office.services(request)

    def done(result: Any) -> str:
        moved = f"，随之调整 {len(result.replanned)} 个后续阶段" if result.replanned else ""
        return (f"已将截止日期{'提前' if result.shortened else '延至'} {result.due.astimezone(BEIJING).strftime('%Y-%m-%d')}（北京时间当日24时），"
                f"涉及 {result.obligations} 项应办事项{moved}；已通知相关单位")

    return _act(request, db, account, key, stage, lambda: office.extend(
        context, account, key, stage, to=office.parse_day(to, "新截止日期", "新截止日期"), reason=reason, units=office.parse_codes(units)), done)


@router.post("/cycles/{key}/stages/{stage}/close")
def close(request: Request, key: str, stage: str, db: SessionDep, account: DeadlineForm, reason: Annotated[str, Form()] = "") -> Response:
    """End the stage's submissions (late ones too are refused from now on)."""
    context = office.services(request)
    return _act(request, db, account, key, stage, lambda: office.close_submissions(context, account, key, stage, reason=reason),
                lambda result: f"已截止收件（{result.closed_by}，理由：{result.reason or '未填写'}）；此后报送一律不予接收")


@router.post("/cycles/{key}/stages/{stage}/sample")
def sample(request: Request, key: str, stage: str, db: SessionDep, account: SampleForm, step: Annotated[str, Form()] = "",
           exclusions: Annotated[str, Form()] = "") -> Response:
    """Step "seed": publish the seed's hash (and the inputs' hash); step "draw": draw with that seed."""
    context = office.services(request)

    def done(result: dict[str, Any]) -> str:
        if not result["drawn"]:
            return f"已公布种子哈希 {result['seed_hash']}；请将其公示后再抽取"
        return f"已抽取 {len(result['selected'])} 个单位，已通知 {result['notifications']} 条；记录哈希 {result['record_hash']}"

    return _act(request, db, account, key, stage,
                lambda: office.sample(context, account, key, stage, step=step, exclusions=office.parse_exclusions(exclusions)), done)


@router.get("/cycles/{key}/stages/{stage}/sample.json")
def sample_record(key: str, stage: str, db: SessionDep, account: Overseer) -> Response:
    """The published draw record (JSON), to re-run with ``kaohe sample verify --record``."""
    import json

    cycle = visible_cycle(db, account, key)
    draw = get_draw(db, get_stage(db, cycle, stage))
    if draw is None or draw.record is None:
        raise NotFound("该阶段尚未抽取")
    body = json.dumps(draw.record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    name = f"{cycle.key}-{stage}-抽样记录.json"
    return Response(body.encode("utf-8"), media_type="application/json",
                    headers={"Content-Disposition": f"attachment; filename=\"{cycle.key}-{stage}-sample.json\"; filename*=UTF-8''{quote(name)}"})


def _orders_page(request: Request, db: Session, account: Account, cycle: Cycle, *, status_code: int = 200,
                 error: list[str] | None = None, notice: str | None = None, form: dict[str, str] | None = None) -> Response:
    from kaohe.evidence.orders import order_no

    units = {u.id: u for u in cycle.units}
    orders = [(order_no(cycle.year, o.number), o, units.get(o.unit_id)) for o in list_orders(db, cycle)]
    assessed = sorted((u for u in cycle.units if u.role == "assessed"), key=lambda u: u.code)
    return render(request, "orders.html", status_code=status_code, account=account, cycle=cycle, orders=orders, assessed=assessed,
                  errors=error or [], notice=notice, form=form or {}, may_issue=account.role in ORDER_ROLES)


@router.get("/cycles/{key}/orders")
def orders(request: Request, key: str, db: SessionDep, account: Overseer) -> Response:
    """The cycle's supervision orders (number, unit, issue, deadline, state) and the form to issue one."""
    return _orders_page(request, db, account, visible_cycle(db, account, key))


@router.post("/cycles/{key}/orders")
def issue_order(request: Request, key: str, db: SessionDep, account: OrderForm, unit: Annotated[str, Form()] = "",
                issue: Annotated[str, Form()] = "", due: Annotated[str, Form()] = "") -> Response:
    """Issue a supervision order to a unit of the cycle."""
    context = office.services(request)
    cycle = visible_cycle(db, account, key)
    db.commit()  # as in _act
    try:
        result = office.issue_order(context, account, key, unit=unit, issue_text=issue, due=office.parse_day(due, "办结时限", "办结时限"))
    except KaoheError as error:
        status, lines = refusal(error)
        db.expire_all()
        return _orders_page(request, db, account, cycle, status_code=status, error=lines, form={"unit": unit, "issue": issue, "due": due})
    db.expire_all()
    return _orders_page(request, db, account, cycle, notice=f"已下发督办单 {result.order_no}，已通知 {result.payload.get('messages', 0)} 条")


@router.get("/cycles/{key}/tree")
def tree(request: Request, key: str, db: SessionDep, account: Overseer) -> Response:
    """The cycle's tree (parents before children), each level's deadlines beside the parent deadline it
    follows; only the cycles the account oversees are listed."""
    from kaohe.cascade.levels import tree_view

    cycle = visible_cycle(db, account, key)
    view = tree_view(db, cycle)
    cycles = {c.key: c for c in _tree_cycles(cycle)}
    from kaohe.evidence.orders import ORDER_STAGE_KIND

    shown = []
    for node in view["cycles"]:
        found = cycles.get(node["cycle"])
        if found is not None and may_see_cycle(account, found):
            orders = {s.key for s in found.stages if s.kind == ORDER_STAGE_KIND}  # one unit's order, not a level's date
            names = {s.key: s.name for s in found.parent.stages} if found.parent is not None else {}
            shown.append({**node, "stages": [{**s, "follows_name": names.get(s["follows"], s["follows"])}
                                             for s in node["stages"] if s["stage"] not in orders]})
    hidden = len(view["cycles"]) - len(shown)
    titles = {k: cycle_title(c) for k, c in cycles.items()}
    return render(request, "tree.html", cycle=cycle, nodes=shown, hidden=hidden, titles=titles)


def _tree_cycles(cycle: Cycle) -> list[Cycle]:
    from kaohe.cascade.levels import root_of

    found, stack = [], [root_of(cycle)]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found


@router.get("/cycles/{key}/results/{version}/{document}")
def result_document(key: str, version: int, document: str, db: SessionDep, context: ContextDep, account: Overseer) -> Response:
    """A result version's report or ranking (PDF, DOCX, XLSX) as it was published."""
    cycle = visible_cycle(db, account, key)
    if document not in DOCUMENTS:
        raise NotFound()
    found = get_version(db, cycle, version)
    home = context.settings.home.resolve()
    path = (home / found.documents_dir / DOCUMENTS[document]).resolve()
    if not path.is_relative_to(home) or not path.is_file():
        raise NotFound("该文件不在存储中")
    return FileResponse(path, filename=f"{cycle.key}-第{version}版-{DOCUMENTS[document]}")


@router.get("/cycles/{key}/results/{version}/letters/{code}")
def result_letter(key: str, version: int, code: str, db: SessionDep, context: ContextDep, account: Overseer, format: str = "docx") -> Response:
    """One unit's feedback letter of a result version (Word, or ``?format=pdf``), as it was published."""
    cycle = visible_cycle(db, account, key)
    if format not in ("docx", "pdf"):
        raise NotFound()
    found = get_version(db, cycle, version)
    letter = letter_path(db, found, code)
    if not letter:
        raise NotFound("该单位在这一版结果中没有反馈函")
    home = context.settings.home.resolve()
    path = (home / letter).with_suffix(f".{format}").resolve()
    if not path.is_relative_to(home) or not path.is_file():
        raise NotFound("该文件不在存储中")
    return FileResponse(path, filename=f"{cycle.key}-第{version}版-{path.name}")
