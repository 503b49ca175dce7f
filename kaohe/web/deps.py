"""What routes declare they need: the database session, the current account (from the session cookie,
a bearer token or a trusted SSO header), a role, and a checked CSRF token.

``SessionDep``, ``CurrentAccount`` and ``require(...)`` follow full-stack-fastapi-template's deps.py.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kaohe.accounts.passwords import password_expired
from kaohe.accounts.service import Origin, account_for_api_token
from kaohe.accounts.sessions import resume_session
from kaohe.clock import Clock
from kaohe.errors import AuthError
from kaohe.models import Account, Cycle, WebSession
from kaohe.settings import Settings

if TYPE_CHECKING:
    from kaohe.services.context import AppContext

SESSION_COOKIE = "kaohe_session"
PRE_SESSION_COOKIE = "kaohe_pre"
CSRF_FIELD = "csrf_token"


class LoginRequired(HTTPException):
    """No (live) session: pages redirect to the login page, the API answers 401."""

    def __init__(self) -> None:
        super().__init__(status_code=401, detail="请先登录")


class Forbidden(HTTPException):
    """The account may not do this (403)."""

    def __init__(self, detail: str = "无权访问此页面") -> None:
        super().__init__(status_code=403, detail=detail)


class NotFound(HTTPException):
    """Nothing here for this account (404): also what a unit gets for another unit's id."""

    def __init__(self, detail: str = "页面不存在") -> None:
        super().__init__(status_code=404, detail=detail)


class PasswordExpired(HTTPException):
    """The session's password is older than ``KAOHE_WEB_PASSWORD_MAX_DAYS``: pages lead to the change-password page,
    the API answers 403 (bearer tokens are not affected)."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail="密码已过期，请先修改密码")


PASSWORD_CHANGE_PATHS = frozenset({"/account", "/account/password", "/logout"})
"""What an account whose password expired may still reach."""


class CsrfRefused(HTTPException):
    """A form without the right CSRF token (403)."""

    def __init__(self) -> None:
        super().__init__(status_code=403, detail="表单已失效（缺少或不符的安全令牌），请刷新页面后重试")


@dataclass
class WebContext:
    """Built once at start-up and shared by every request: settings, clock, calendar, secrets."""

    settings: Settings
    clock: Clock
    database_url: str
    secret: str
    idle: dt.timedelta
    authenticator: Callable[[Request, Session], Account | None] | None = None
    password_max_days: int = 0
    _services: AppContext | None = field(default=None, repr=False)

    def services(self) -> AppContext:
        """The services' context on the portal's settings, database and clock (built once)."""
        if self._services is None:
            from kaohe.services.context import build_context

            self._services = build_context(self.settings.replaced(database_url=self.database_url), clock=self.clock)
        return self._services

    def now(self) -> dt.datetime:
        """The current instant of the injected clock."""
        return self.clock.now()

    def password_expired(self, account: Account) -> bool:
        """Whether ``account`` must change its password before anything else (``KAOHE_WEB_PASSWORD_MAX_DAYS``)."""
        return password_expired(account.password_changed_at, self.now(), self.password_max_days)


def get_context(request: Request) -> WebContext:
    """The application's WebContext."""
    return request.app.state.web  # type: ignore[no-any-return]


ContextDep = Annotated[WebContext, Depends(get_context)]


def get_db(context: ContextDep) -> Iterator[Session]:
    """A session for this request; handlers commit what they change, the rest is rolled back."""
    session = context.services().session_factory()  # its Session.info carries the context (kaohe.db.calendar_of)
    try:
        yield session
    finally:
        session.close()  # rolls back what was not committed; loaded objects stay readable for error pages


SessionDep = Annotated[Session, Depends(get_db)]


def origin_of(request: Request) -> Origin:
    """Where the request came from, for the audit log."""
    host = request.client.host if request.client else "unknown"
    return Origin(ip=host, user_agent=request.headers.get("user-agent", ""))


def optional_web_session(request: Request, db: SessionDep, context: ContextDep) -> WebSession | None:
    """The live browser session of the cookie, if any (its idle clock reset)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    row = resume_session(db, token, now=context.now(), idle=context.idle)
    if db.dirty or db.new:
        try:
            db.commit()
        except OperationalError:  # a busy database: resetting the idle clock is best effort, the request goes on
            db.rollback()  # the row is reloaded, as it was, on its next use
    return row


def current_account(request: Request, db: SessionDep, context: ContextDep) -> Account:
    """The account acting: a bearer token on ``/api``, else the pluggable authenticator (SSO), else the
    session cookie. LoginRequired when none."""
    authorization = request.headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        try:
            account = account_for_api_token(db, authorization[7:].strip(), now=context.now())
        except AuthError:
            raise LoginRequired() from None
        db.commit()
        request.state.csrf_exempt = True
        request.state.account = account
        return account
    if context.authenticator is not None:
        found = context.authenticator(request, db)
        if found is not None:
            request.state.web_session = None
            request.state.account = found
            return found
    row = optional_web_session(request, db, context)
    if row is None:
        raise LoginRequired()
    request.state.web_session = row
    request.state.account = row.account
    if context.password_expired(row.account) and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordExpired()
    return row.account


CurrentAccount = Annotated[Account, Depends(current_account)]


def require(*roles: str) -> Callable[[Account], Account]:
    """A dependency that lets only these roles through (403 for the others)."""

    def dependency(account: CurrentAccount) -> Account:
        if account.role not in roles:
            raise Forbidden()
        return account

    dependency.__name__ = f"require_{'_'.join(roles)}"
    return dependency


def csrf_expected(request: Request) -> str:
    """The CSRF token this browser must send back: its session's, or before login the pre-session cookie's."""
    row: WebSession | None = getattr(request.state, "web_session", None)
    if row is not None:
        return str(row.csrf_token)
    token = request.cookies.get(PRE_SESSION_COOKIE)
    if not token:
        token = str(getattr(request.state, "new_pre_session", None) or secrets.token_urlsafe(32))
        request.state.new_pre_session = token
    return token


def check_csrf(request: Request, sent: str | None) -> None:
    """Refuse unless ``sent`` is this browser's CSRF token (API calls with a bearer token are exempt)."""
    if getattr(request.state, "csrf_exempt", False):
        return
    expected = csrf_expected(request)
    if not sent or getattr(request.state, "new_pre_session", None) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfRefused()


async def csrf_form(request: Request) -> None:
    """Dependency for url-encoded form posts: the form's ``csrf_token`` must match."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    check_csrf(request, sent if isinstance(sent, str) else None)


CsrfChecked = Depends(csrf_form)


async def form_account(request: Request, account: CurrentAccount) -> Account:
    """The current account of a form post whose CSRF token was checked against its session."""
    await csrf_form(request)
    return account


FormAccount = Annotated[Account, Depends(form_account)]


def require_form(*roles: str) -> Callable[..., object]:
    """Like ``require`` for form posts: the role, then the CSRF token."""

    async def dependency(request: Request, account: CurrentAccount) -> Account:
        if account.role not in roles:
            raise Forbidden()
        await csrf_form(request)
        return account

    dependency.__name__ = f"require_form_{'_'.join(roles)}"
    return dependency


def may_see_cycle(account: Account, cycle: Cycle) -> bool:
    """Coordinators and leaders see only their cycles (all when unrestricted); admins see all."""
    if account.role == "admin":
        return True
    if account.role in ("coordinator", "leader", "lead_assessor"):
        return account.cycles is None or cycle.key in account.cycles
    return False
