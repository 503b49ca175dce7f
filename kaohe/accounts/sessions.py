"""Browser sessions: started at login, ended by logout, a password reset or ``idle`` without a request.

The cookie carries a random token; the table keeps only its SHA-256 and the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from kaohe.accounts.service import Origin, token_hash
from kaohe.models import Account, WebSession
from kaohe.store.audit import record

TOUCH_AFTER = dt.timedelta(seconds=30)
"""The idle clock is reset at most this often (a write per request is not worth a finer timeout)."""


def start_session(session: Session, account: Account, *, now: dt.datetime, origin: Origin) -> str:
    """A new session for ``account``; returns the cookie token."""
    token = secrets.token_urlsafe(32)
    session.add(WebSession(id=token_hash(token), account_id=account.id, csrf_token=secrets.token_urlsafe(32),
                           created_at=now, last_seen_at=now, ip=origin.ip[:64], user_agent=origin.user_agent[:300]))
    return token


def resume_session(session: Session, token: str, *, now: dt.datetime, idle: dt.timedelta) -> WebSession | None:
    """The live session of a cookie token, its idle clock reset (to within ``TOUCH_AFTER``); None (and the session ended, audited)
    when it was idle longer than ``idle``; None when unknown or ended."""
    row = session.get(WebSession, token_hash(token))
    if row is None or row.ended_at is not None or not row.account.active:
        return None
    if now - row.last_seen_at > idle:
        row.ended_at = now
        record(session, actor=row.account.name, action="session.idle_timeout", subject=f"account:{row.account.name}", at=now,
               detail={"last_seen": row.last_seen_at.isoformat(), "ip": row.ip})
        return None
    if now - row.last_seen_at >= TOUCH_AFTER:
        row.last_seen_at = now
    return row


def end_session(session: Session, row: WebSession, *, now: dt.datetime, origin: Origin) -> None:
    """Log out."""
    row.ended_at = now
    record(session, actor=row.account.name, action="logout", subject=f"account:{row.account.name}", at=now, detail=origin.detail())
