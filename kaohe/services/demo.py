"""The demonstration portal (``kaohe web --demo``) on a simulated cycle: an account per role with a fresh password,
and the instant the simulation stopped at (where the portal's clock starts)."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass

from sqlalchemy import select

from kaohe.models import Account, Cycle, Unit
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize

UNIT_ROLES = ("assessed", "verifier", "lead_assessor", "third_party")


@dataclass(frozen=True)
class DemoAccounts:
    """An account per portal role on the newest cycle (created if missing), each given a new random password."""

    actor: Actor


@dataclass(frozen=True)
class DemoAccount:
    """A demonstration login: its portal role, login name and the password just set."""

    role: str
    name: str
    password: str


def demo_accounts(context: AppContext, command: DemoAccounts) -> list[DemoAccount]:
    """Create the missing demonstration accounts and set each one's password through the real invitation path
    (invited, then accepted; audited like any other). Units come from the newest cycle's roster."""
    from kaohe.accounts.service import accept_invitation, create_account, invite

    authorize(command.actor, Action.MANAGE_ACCOUNTS, Scope())
    by = command.actor.account
    made = []
    with context.unit_of_work(command.actor) as uow:
        session, now = uow.session, uow.now
        cycle = session.scalars(select(Cycle).order_by(Cycle.id.desc())).first()
        units = {role: session.scalars(select(Unit.code).where(Unit.cycle_id == cycle.id, Unit.role == role).order_by(Unit.code)).first()
                 for role in UNIT_ROLES} if cycle else {}
        wanted = [("admin", "demo-admin", None), ("coordinator", "demo-coord", None), ("leader", "demo-leader", None),
                  ("unit", units.get("assessed"), units.get("assessed")), ("verifier", units.get("verifier"), units.get("verifier")),
                  ("lead_assessor", "demo-lead", units.get("lead_assessor") or "lead"),
                  ("evaluator", "demo-evaluator", units.get("third_party") or "evaluator")]
        for role, name, unit in wanted:
            if not name:
                continue
            if session.scalar(select(Account.id).where(Account.name == name)) is None:
                create_account(session, name=name, role=role, unit_code=unit, display_name=f"演示{name}", by=by, now=now)
            password = demo_password(name)
            accept_invitation(session, invite(session, name, by=by, now=now), password, now=now)
            made.append(DemoAccount(role, name, password))
    return made


def simulated_instant(context: AppContext) -> dt.datetime | None:
    """The instant the newest cycle was advanced to (where the simulation stopped), or None."""
    with context.reading() as session:
        return session.scalars(select(Cycle.advanced_to).order_by(Cycle.id.desc())).first()


def demo_password(login: str) -> str:
    """A random 14-character password that meets the policy for ``login``: one of each character class, the rest
    drawn from all of them; a one-character login's letter is never drawn, and a draw that happens to contain a
    longer login (random text may hold a short code such as ``A1``) is discarded."""
    from kaohe.accounts.passwords import policy_problems

    banned = {login.lower(), login.upper()} if len(login) == 1 else set()
    pools = ["".join(c for c in pool if c not in banned) for pool in (string.ascii_uppercase, string.ascii_lowercase, string.digits, "-_.!")]
    everything = "".join(pools)
    draw = secrets.SystemRandom()
    while True:
        chars = [draw.choice(pool) for pool in pools] + [draw.choice(everything) for _ in range(10)]
        draw.shuffle(chars)
        password = "".join(chars)
        if not policy_problems(password, login=login):
            return password
