"""The admin's pages: accounts (create, invite, reset) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from kaohe.accounts.service import ROLES, list_accounts
from kaohe.errors import InputError
from kaohe.models import Account
from kaohe.services.accounts import CreateAccount, InviteAccount, create_account, invite_account
from kaohe.web.actions import actor_of
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, SessionDep, origin_of, require, require_form
from kaohe.web.office import services
from kaohe.web.queries import audit_entries

router = APIRouter(include_in_schema=False)
Admin = Annotated[Account, Depends(require("admin"))]
AdminForm = Annotated[Account, Depends(require_form("admin"))]


def _page(request: Request, db: SessionDep, context: ContextDep, status_code: int = 200, **extra: object) -> Response:
    return render(request, "admin_accounts.html", status_code=status_code, accounts=list_accounts(db), roles=ROLES, **extra)


@router.get("/admin/accounts")
def accounts(request: Request, db: SessionDep, context: ContextDep, account: Admin) -> Response:
    """Every account with its role, unit, state and last login."""
    return _page(request, db, context)


@router.post("/admin/accounts")
def create(request: Request, db: SessionDep, context: ContextDep, account: AdminForm, name: Annotated[str, Form()],
           role: Annotated[str, Form()], unit_code: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "") -> Response:
    """Create an account and show its one-time invitation link."""
    command = CreateAccount(actor_of(account), name, role, unit_code.strip() or None, display_name=display_name, origin=origin_of(request))
    try:
        made = create_account(services(request), command)
    except InputError as error:
        return _page(request, db, context, 400, errors=error.details())
    db.commit()  # the service committed on its own connection: read the list afresh
    return _page(request, db, context, invitation=(made.account, made.invitation))


@router.post("/admin/accounts/{name}/reset")
def reset_account(request: Request, name: str, db: SessionDep, context: ContextDep, account: AdminForm) -> Response:
    """Clear the password and sessions of an account and show a new invitation link."""
    link = invite_account(services(request), InviteAccount(actor_of(account), name, reset=True, origin=origin_of(request)))
    db.commit()  # the service committed on its own connection: read the list afresh
    return _page(request, db, context, invitation=(name, link))


@router.get("/admin/audit")
def audit(request: Request, db: SessionDep, account: Admin, actor: str | None = None) -> Response:
    """The newest 300 audit entries (who, when, what, from where), optionally of one actor."""
    return render(request, "audit.html", entries=audit_entries(db, actor), actor=actor or "")
