"""What people do with accounts: create them (one by one or from a cycle's roster), invite, accept an
invitation, log in (with lockout), reset, and issue API tokens. Every action is audited with who,
when and from where (``origin``: the client address and user agent, or ``cli``).

Functions take an open session and ``now``; they never commit (the edge does).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.accounts.passwords import hash_password, policy_problems, verify_password
from kaohe.errors import AuthError, InputError, NotFoundError, Problem
from kaohe.models import Account, ApiToken, Cycle, WebSession
from kaohe.store.audit import record

ROLES = ("admin", "coordinator", "leader", "unit", "verifier", "lead_assessor", "evaluator")
ROLE_NAMES = {"admin": "系统管理员", "coordinator": "考核协调人", "leader": "考核领导", "unit": "被考核单位",
              "verifier": "核查单位", "lead_assessor": "牵头考核单位", "evaluator": "第三方评估机构"}
UNIT_ROLES = frozenset({"unit", "verifier", "lead_assessor", "evaluator"})
ROSTER_ROLES = {"assessed": "unit", "verifier": "verifier", "lead_assessor": "lead_assessor",
                "coordinator": "coordinator", "third_party": "evaluator"}
INVITATION_DAYS = 7


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for the audit log."""

    ip: str = "cli"
    user_agent: str = ""

    def detail(self) -> dict[str, str]:
        """As audit detail."""
        return {"ip": self.ip, "user_agent": self.user_agent[:300]}


@dataclass(frozen=True)
class LockoutPolicy:
    """Lock an account for ``minutes`` after ``failures`` wrong passwords in a row."""

    failures: int = 5
    minutes: int = 15


def token_hash(token: str) -> str:
    """SHA-256 (hex) of a random token: what is stored instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def get_account(session: Session, name: str) -> Account:
    """The account with login ``name``; NotFoundError if none."""
    account = session.scalar(select(Account).where(Account.name == name))
    if account is None:
        raise NotFoundError(f"没有账号 {name}")
    return account


def list_accounts(session: Session) -> list[Account]:
    """Every account, by role and name."""
    return list(session.scalars(select(Account).order_by(Account.role, Account.name)))


def create_account(session: Session, *, name: str, role: str, by: str, now: dt.datetime, unit_code: str | None = None,
                   display_name: str = "", email: str | None = None, cycles: Sequence[str] | None = None,
                   origin: Origin = Origin()) -> Account:
    """A new account without a password (it gets one through an invitation)."""
    name = name.strip()
    problems = []
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        problems.append(Problem("登录名不能为空、不能含空白、不超过100字", field="name"))
    if role not in ROLES:
        problems.append(Problem(f"未知角色 {role!r}，应为 {'、'.join(ROLES)}", field="role"))
    if role in UNIT_ROLES and not unit_code:
        problems.append(Problem(f"角色 {role} 须指定单位编码", field="unit"))
    if session.scalar(select(Account.id).where(Account.name == name)) is not None:
        problems.append(Problem(f"登录名 {name} 已存在", field="name"))
    if problems:
        raise InputError(problems)
    account = Account(name=name, role=role, unit_code=unit_code if role in UNIT_ROLES else None,
                      display_name=display_name or name, email=email, cycles=list(cycles) if cycles else None,
                      created_at=now, created_by=by)
    session.add(account)
    session.flush()
    record(session, actor=by, action="account.created", subject=f"account:{name}", at=now,
           detail={"role": role, "unit": account.unit_code, "cycles": account.cycles, **origin.detail()})
    return account


def accounts_from_roster(session: Session, cycle: Cycle, *, by: str, now: dt.datetime, origin: Origin = Origin()) -> list[Account]:
    """One account per roster unit that has none yet, named by its code, with the role its roster role implies."""
    existing = set(session.scalars(select(Account.name)))
    created = []
    for unit in cycle.units:
        if unit.code in existing:
            continue
        role = ROSTER_ROLES.get(unit.role, "unit")
        created.append(create_account(
            session, name=unit.code, role=role, unit_code=unit.code if role in UNIT_ROLES else None, display_name=unit.name,
            email=(unit.contacts or {}).get("email"), cycles=[cycle.key] if role == "coordinator" else None,
            by=by, now=now, origin=origin))
    return created


def invite(session: Session, name: str, *, by: str, now: dt.datetime, origin: Origin = Origin()) -> str:
    """A fresh one-time invitation token for ``name`` (valid 7 days; replaces an earlier one)."""
    account = get_account(session, name)
    token = secrets.token_urlsafe(32)
    account.invite_hash = token_hash(token)
    account.invite_expires_at = now + dt.timedelta(days=INVITATION_DAYS)
    record(session, actor=by, action="account.invited", subject=f"account:{name}", at=now,
           detail={"expires": account.invite_expires_at.isoformat(), **origin.detail()})
    return token


def invited_account(session: Session, token: str, *, now: dt.datetime) -> Account:
    """The account an invitation token is for; AuthError when unknown, used or expired."""
    account = session.scalar(select(Account).where(Account.invite_hash == token_hash(token)))
    if account is None or not account.active or account.invite_expires_at is None or account.invite_expires_at <= now:
        raise AuthError("邀请链接无效或已过期，请联系管理员重新发送")
    return account


def accept_invitation(session: Session, token: str, password: str, *, now: dt.datetime, origin: Origin = Origin()) -> Account:
    """Set the first password through a one-time invitation; the token is spent."""
    account = invited_account(session, token, now=now)
    _set_password(account, password, now)
    account.invite_hash = None
    account.invite_expires_at = None
    account.failed_logins = 0
    account.locked_until = None
    record(session, actor=account.name, action="account.invitation_accepted", subject=f"account:{account.name}", at=now,
           detail=origin.detail())
    return account


def change_password(session: Session, account: Account, old: str, new: str, *, now: dt.datetime, origin: Origin = Origin()) -> None:
    """Change one's own password (the old one must match)."""
    if not verify_password(old, account.password_hash):
        record(session, actor=account.name, action="account.password_change_refused", subject=f"account:{account.name}",
               at=now, detail=origin.detail())
        raise AuthError("原密码不正确")
    if verify_password(new, account.password_hash):
        raise InputError(Problem("新密码不能与原密码相同", field="password"))
    _set_password(account, new, now)
    record(session, actor=account.name, action="account.password_changed", subject=f"account:{account.name}", at=now,
           detail=origin.detail())


def _set_password(account: Account, password: str, now: dt.datetime) -> None:
    problems = policy_problems(password, login=account.name)
    if problems:
        raise InputError([Problem(p, field="password") for p in problems])
    account.password_hash = hash_password(password)
    account.password_changed_at = now


def authenticate(session: Session, name: str, password: str, *, now: dt.datetime, policy: LockoutPolicy = LockoutPolicy(),
                 origin: Origin = Origin()) -> Account:
    """The account if ``password`` is right and the account is usable; otherwise AuthError, a counted
    failure and an audit entry. The ``policy.failures``-th failure in a row locks it for ``policy.minutes``."""
    account = session.scalar(select(Account).where(Account.name == name))
    subject = f"account:{name[:100]}"
    if account is not None and account.locked_until is not None and account.locked_until > now:
        verify_password(password, None)
        record(session, actor=name[:200], action="login.refused_locked", subject=subject, at=now,
               detail={"locked_until": account.locked_until.isoformat(), **origin.detail()})
        raise AuthError(f"账号已锁定，请于 {_beijing(account.locked_until)} 后再试或联系管理员")
    if account is None or not account.active or not verify_password(password, account.password_hash):
        detail: dict[str, object] = {"reason": "unknown" if account is None else "inactive" if not account.active else "password",
                                     **origin.detail()}
        if account is not None and account.active:
            account.failed_logins += 1
            detail["failures"] = account.failed_logins
            if account.failed_logins >= policy.failures:
                account.locked_until = now + dt.timedelta(minutes=policy.minutes)
                account.failed_logins = 0
                detail["locked_until"] = account.locked_until.isoformat()
        record(session, actor=name[:200], action="login.failed", subject=subject, at=now, detail=detail)
        if "locked_until" in detail:
            raise AuthError(f"登录名或密码不正确；已连续失败 {policy.failures} 次，账号锁定 {policy.minutes} 分钟")
        raise AuthError("登录名或密码不正确")
    account.failed_logins = 0
    account.locked_until = None
    account.last_login_at = now
    record(session, actor=account.name, action="login.succeeded", subject=subject, at=now, detail=origin.detail())
    return account


def reset(session: Session, name: str, *, by: str, now: dt.datetime, origin: Origin = Origin()) -> str:
    """Clear the password, unlock, end every session and return a new invitation token."""
    account = get_account(session, name)
    account.password_hash = None
    account.failed_logins = 0
    account.locked_until = None
    for web_session in session.scalars(select(WebSession).where(WebSession.account_id == account.id, WebSession.ended_at.is_(None))):
        web_session.ended_at = now
    record(session, actor=by, action="account.reset", subject=f"account:{name}", at=now, detail=origin.detail())
    return invite(session, name, by=by, now=now, origin=origin)


def issue_api_token(session: Session, name: str, *, label: str, by: str, now: dt.datetime, origin: Origin = Origin()) -> str:
    """A new bearer token for ``/api`` acting as account ``name`` (shown once; only its hash is kept)."""
    account = get_account(session, name)
    token = "kh_" + secrets.token_urlsafe(32)
    session.add(ApiToken(account_id=account.id, token_hash=token_hash(token), label=label, created_at=now))
    record(session, actor=by, action="api_token.issued", subject=f"account:{name}", at=now, detail={"label": label, **origin.detail()})
    return token


def account_for_api_token(session: Session, token: str, *, now: dt.datetime) -> Account:
    """The active account a bearer token acts as; AuthError otherwise."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.account.active:
        raise AuthError("API 令牌无效")
    row.last_used_at = now
    return row.account


def _beijing(moment: dt.datetime) -> str:
    from kaohe.clock import BEIJING

    return f"{moment.astimezone(BEIJING):%Y-%m-%d %H:%M}"
