"""The admin's pages: accounts (create, invite, reset) and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from kaohe.accounts.service import ROLES, create_account, invite, list_accounts, reset
from kaohe.errors import InputError
from kaohe.models import Account, AuditEntry
from kaohe.web.app import render
from kaohe.web.deps import ContextDep, SessionDep, origin_of, require, require_form

router = APIRouter(include_in_schema=False)
Admin = Annotated[Account, Depends(require("admin"))]
AdminForm = Annotated[Account, Depends(require_form("admin"))]


def _page(request: Request, db: SessionDep, context: ContextDep, status_code: int = 200, **extra: object) -> Response:
    return render(request, "admin_accounts.html", status_code=status_code, accounts=list_accounts(db), roles=ROLES, **extra)


def _invitation(context: ContextDep, token: str) -> str:
    return f"{context.settings.public_url.rstrip('/')}/invite/{token}"


@router.get("/admin/accounts")
def accounts(request: Request, db: SessionDep, context: ContextDep, account: Admin) -> Response:
    """Every account with its role, unit, state and last login."""
    return _page(request, db, context)


@router.post("/admin/accounts")
def create(request: Request, db: SessionDep, context: ContextDep, account: AdminForm, name: Annotated[str, Form()],
           role: Annotated[str, Form()], unit_code: Annotated[str, Form()] = "", display_name: Annotated[str, Form()] = "") -> Response:
    """Create an account and show its one-time invitation link."""
    now = context.now()
    origin = origin_of(request)
    try:
        create_account(db, name=name, role=role, unit_code=unit_code.strip() or None, display_name=display_name, by=account.name,
                       now=now, origin=origin)
    except InputError as error:
        db.rollback()
        return _page(request, db, context, 400, errors=error.details())
    link = _invitation(context, invite(db, name.strip(), by=account.name, now=now, origin=origin))
    db.commit()
    return _page(request, db, context, invitation=(name.strip(), link))


@router.post("/admin/accounts/{name}/reset")
def reset_account(request: Request, name: str, db: SessionDep, context: ContextDep, account: AdminForm) -> Response:
    """Clear the password and sessions of an account and show a new invitation link."""
    link = _invitation(context, reset(db, name, by=account.name, now=context.now(), origin=origin_of(request)))
    db.commit()
    return _page(request, db, context, invitation=(name, link))


@router.get("/admin/audit")
def audit(request: Request, db: SessionDep, account: Admin, actor: str | None = None) -> Response:
    """The newest 300 audit entries (who, when, what, from where), optionally of one actor."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(300)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return render(request, "audit.html", entries=list(db.scalars(query)), actor=actor or "")
