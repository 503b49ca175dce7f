"""The portal application: ``create_app(settings)`` builds FastAPI with its pages, the JSON API and static files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from kaohe.accounts.service import ROLE_NAMES
from kaohe.clock import BEIJING, Clock, SystemClock
from kaohe.errors import KaoheError
from kaohe.models import Account
from kaohe.settings import Settings
from kaohe.web.deps import PRE_SESSION_COOKIE, LoginRequired, PasswordExpired, WebContext, csrf_expected
from kaohe.web.queries import CHANNEL_NAMES, MESSAGE_STATUS, STATUS_NAMES

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"


def _bj(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(BEIJING).strftime(fmt) if value else "—"


def _size(value: int) -> str:
    if value < 1024:
        return f"{value} 字节"
    if value < 1024 * 1024:
        return f"{value / 1024:.1f} KB"
    return f"{value / 1024 / 1024:.1f} MB"


def _bjiso(value: str | None) -> str:
    """An ISO timestamp kept in JSON (order replies, scorings) in Beijing time."""
    return _bj(dt.datetime.fromisoformat(value)) if value else "—"


def _kind(kind: str) -> str:
    """A stored file's kind as people name it."""
    if kind.startswith("item") and kind[4:].isdigit():
        return f"第{kind[4:]}项整改佐证材料"
    return {"score_table": "自评表", "report": "报告", "evidence": "佐证材料"}.get(kind, kind)


templates.env.filters.update(bj=_bj, size=_size, bjiso=_bjiso, kind=_kind)
templates.env.globals.update(role_names=ROLE_NAMES, status_names=STATUS_NAMES, channel_names=CHANNEL_NAMES, message_status=MESSAGE_STATUS)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page: the template with the acting account, its CSRF token and the current instant."""
    web: WebContext = request.app.state.web
    account = context.pop("account", None) or getattr(request.state, "account", None)
    return templates.TemplateResponse(request, template, {"account": account, "csrf_token": csrf_expected(request), "now": web.now(),
                                                      **context}, status_code=status_code)


def create_app(settings: Settings, *, clock: Clock | None = None,
               authenticator: Callable[[Request, Session], Account | None] | None = None) -> FastAPI:
    """The portal over ``settings``' database. ``authenticator`` is the single-sign-on seam: a callable
    that returns the account a trusted front (an OIDC proxy) vouches for, or None to fall back to the
    portal's own login (see ``kaohe.web.sso``)."""
    from kaohe.services.context import migrate_once
    from kaohe.web.routes import admin, api, auth, board, constraints, office, office_api, results, special, tasks
    from kaohe.web.routes.unit_portal import routers as unit_portal_routers

    url = settings.effective_database_url
    migrate_once(url)  # at start-up, not in the first requests: 20 of them waiting for it while holding connections drained the pool
    if authenticator is None and settings.web_trusted_user_header:
        from kaohe.web.sso import trusted_header

        authenticator = trusted_header(settings.web_trusted_user_header)
    app = FastAPI(title="kaohe 考核门户 API", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = WebContext(settings=settings, clock=clock or SystemClock(), database_url=url, secret=settings.site_secret(),
                               idle=dt.timedelta(minutes=settings.web_idle_minutes), authenticator=authenticator,
                               password_max_days=settings.web_password_max_days)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (auth, tasks, board, office, results, admin, api, office_api, special, constraints):
        app.include_router(module.router)
    for router in unit_portal_routers():  # the verifier's pages; a unit's orders, rectification and calendar subscription
        app.include_router(router)

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        fresh = getattr(request.state, "new_pre_session", None)
        if fresh:
            response.set_cookie(PRE_SESSION_COOKIE, fresh, httponly=True, samesite="strict", secure=settings.public_url.startswith("https"))
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        api_call = request.url.path.startswith("/api")
        if isinstance(error, LoginRequired) and not api_call:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if isinstance(error, PasswordExpired) and not api_call:
            return RedirectResponse("/account", status_code=303)
        if api_call:
            headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
            return JSONResponse({"detail": error.detail}, status_code=error.status_code, headers=headers)
        return render(request, "error.html", status_code=error.status_code, message=str(error.detail) if error.status_code != 404 or error.detail != "Not Found" else "页面不存在")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        message = f"请求参数 {where} 无效：{first.get('msg', '')}"
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": message}, status_code=422)
        return render(request, "error.html", status_code=422, message=message)

    @app.exception_handler(KaoheError)
    async def kaohe_error(request: Request, error: KaoheError) -> Response:
        from kaohe.errors import AuthError, NotFoundError

        status = 404 if isinstance(error, NotFoundError) else 403 if isinstance(error, AuthError) else 400
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": str(error)}, status_code=status)
        return render(request, "error.html", status_code=status, message=str(error))

    return app
