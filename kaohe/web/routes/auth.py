"""Login, logout, first login through an invitation, password change, and the signed task links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from kaohe.accounts.service import (
    LockoutPolicy,
    accept_invitation,
    authenticate,
    change_password,
    invited_account,
)
from kaohe.accounts.sessions import end_session, start_session
from kaohe.errors import AuthError, InputError, LinkError
from kaohe.links import verify_task_link
from kaohe.models import Account
from kaohe.web.app import render
from kaohe.web.deps import (
    SESSION_COOKIE,
    ContextDep,
    CsrfChecked,
    CurrentAccount,
    FormAccount,
    SessionDep,
    WebContext,
    optional_web_session,
    origin_of,
)

router = APIRouter(include_in_schema=False)


def home_of(account: Account) -> str:
    """Where an account lands after login."""
    return {"unit": "/tasks", "verifier": "/verify", "admin": "/cycles", "coordinator": "/cycles", "leader": "/cycles",
            "lead_assessor": "/cycles"}.get(account.role, "/account")


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


def _logged_in(context: WebContext, response: Response, token: str) -> Response:
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        secure=context.settings.public_url.startswith("https"))
    return response


@router.get("/")
def index(account: CurrentAccount) -> RedirectResponse:
    """The account's home page."""
    return RedirectResponse(home_of(account), status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """The login form."""
    return render(request, "login.html", next=_safe_next(next) or "")


@router.post("/login", dependencies=[CsrfChecked])
def login(request: Request, db: SessionDep, context: ContextDep, name: Annotated[str, Form()],
          password: Annotated[str, Form()], next: Annotated[str, Form()] = "") -> Response:
    """Check the password (counting failures, locking), then start a session."""
    settings = context.settings
    now = context.now()
    try:
        account = authenticate(db, name.strip(), password, now=now, origin=origin_of(request),
                               policy=LockoutPolicy(settings.web_lockout_failures, settings.web_lockout_minutes))
    except AuthError as error:
        db.commit()
        return render(request, "login.html", status_code=401, error=str(error), next=_safe_next(next) or "", name=name)
    token = start_session(db, account, now=now, origin=origin_of(request))
    db.commit()
    target = "/account" if context.password_expired(account) else _safe_next(next) or home_of(account)
    return _logged_in(context, RedirectResponse(target, status_code=303), token)


@router.post("/logout")
def logout(request: Request, db: SessionDep, context: ContextDep, account: FormAccount) -> Response:
    """End the session."""
    row = request.state.web_session
    if row is not None:
        end_session(db, row, now=context.now(), origin=origin_of(request))
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/invite/{token}")
def invitation_page(request: Request, token: str, db: SessionDep, context: ContextDep) -> Response:
    """First login: choose a password."""
    account = invited_account(db, token, now=context.now())
    return render(request, "invite.html", invited=account, token=token)


@router.post("/invite/{token}", dependencies=[CsrfChecked])
def accept(request: Request, token: str, db: SessionDep, context: ContextDep, password: Annotated[str, Form()],
           repeat: Annotated[str, Form()]) -> Response:
    """Set the first password and log in."""
    invited = invited_account(db, token, now=context.now())
    if password != repeat:
        return render(request, "invite.html", status_code=400, invited=invited, token=token, errors=["两次输入的密码不一致"])
    try:
        account = accept_invitation(db, token, password, now=context.now(), origin=origin_of(request))
    except InputError as error:
        return render(request, "invite.html", status_code=400, invited=invited, token=token, errors=[p.reason for p in error.problems])
    session_token = start_session(db, account, now=context.now(), origin=origin_of(request))
    db.commit()
    return _logged_in(context, RedirectResponse(home_of(account), status_code=303), session_token)


@router.get("/account")
def account_page(request: Request, context: ContextDep, account: CurrentAccount) -> Response:
    """One's own account: role, unit, password change (the only page left when the password expired)."""
    return render(request, "account.html", account=account, expired=context.password_expired(account),
                  max_days=context.password_max_days)


@router.post("/account/password")
def password(request: Request, db: SessionDep, context: ContextDep, account: FormAccount, old: Annotated[str, Form()],
             new: Annotated[str, Form()], repeat: Annotated[str, Form()]) -> Response:
    """Change one's own password."""
    errors: list[str] = []
    if new != repeat:
        errors = ["两次输入的新密码不一致"]
    else:
        try:
            change_password(db, account, old, new, now=context.now(), origin=origin_of(request))
        except AuthError as error:
            errors = [str(error)]
        except InputError as error:
            errors = [p.reason for p in error.problems]
    db.commit()
    return render(request, "account.html", status_code=400 if errors else 200, account=account, errors=errors, changed=not errors,
                  expired=context.password_expired(account), max_days=context.password_max_days)


@router.get("/t/{token}")
def task_link(request: Request, token: str, db: SessionDep, context: ContextDep) -> Response:
    """A signed link from a reminder: to the task page, through the login page when needed."""
    try:
        link = verify_task_link(context.secret, token, context.now())
    except LinkError as error:
        return render(request, "error.html", status_code=410 if error.expired else 404, message=str(error), show_login=True)
    target = f"/tasks/{link.cycle}/{link.stage}" if link.stage else "/tasks"
    row = optional_web_session(request, db, context)
    if row is None:
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(f'/t/{token}', safe='')}", status_code=303)  # back here after login
    if row.account.role == "unit" and row.account.unit_code != link.unit:
        return render(request, "error.html", status_code=403, account=row.account,
                      message="此链接属于另一单位的任务；请退出后以该单位账号登录")
    if row.account.role == "unit":  # the unit opened its reminder's link: part of the delivery record (催办记录)
        from kaohe.services.messages import AcknowledgeMessage, acknowledge_message
        from kaohe.web.actions import actor_of
        from kaohe.web.office import services

        acknowledge_message(services(request), AcknowledgeMessage(actor_of(row.account), link.cycle, link.unit, link.stage, "opened",
                                                                  origin_of(request).detail()))
    return RedirectResponse(target, status_code=303)

