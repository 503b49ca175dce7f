"""Portal accounts as an administrator manages them: create (one or the roster's), invite, reset, issue an API token.

Each returns the one-time link or token to hand over; only its hash is stored (kaohe.accounts.service).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kaohe.accounts.service import Origin
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize


@dataclass(frozen=True)
class Invitation:
    """An account and the one-time invitation link that lets it set its password."""

    account: str
    role: str
    name: str
    invitation: str

    def to_json(self) -> dict[str, str]:
        """As ``kaohe accounts … --json`` prints it."""
        return {"account": self.account, "role": self.role, "name": self.name, "invitation": self.invitation}


@dataclass(frozen=True)
class CreateAccount:
    """A new account (no password until it accepts its invitation); ``cycles`` empty: every cycle."""

    actor: Actor
    name: str
    role: str
    unit: str | None = None
    cycles: tuple[str, ...] = ()
    display_name: str = ""
    email: str | None = None
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True)
class AccountsFromRoster:
    """An account for every unit of ``cycle``'s roster that has none (named by its code)."""

    actor: Actor
    cycle: str
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True)
class InviteAccount:
    """A new invitation for ``name`` (an earlier one stops working); with ``reset``, also clear its password,
    unlock it and end its sessions."""

    actor: Actor
    name: str
    reset: bool = False
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True)
class IssueApiToken:
    """A bearer token for ``/api`` acting as ``name``, labelled with what it is for."""

    actor: Actor
    name: str
    label: str
    origin: Origin = field(default_factory=Origin)


def invitation_url(context: AppContext, token: str) -> str:
    """The address a person opens to accept the invitation ``token``."""
    return f"{context.settings.public_url.rstrip('/')}/invite/{token}"


def create_account(context: AppContext, command: CreateAccount) -> Invitation:
    """Create the account and its first invitation (audited)."""
    from kaohe.accounts.service import create_account as store_account
    from kaohe.accounts.service import invite

    authorize(command.actor, Action.MANAGE_ACCOUNTS, Scope())
    by = command.actor.account
    with context.unit_of_work(command.actor) as uow:
        made = store_account(uow.session, name=command.name, role=command.role, unit_code=command.unit,
                             display_name=command.display_name, email=command.email, cycles=command.cycles or None, by=by,
                             now=uow.now)
        token = invite(uow.session, made.name, by=by, now=uow.now, origin=command.origin)
        return Invitation(made.name, made.role, made.display_name, invitation_url(context, token))


def accounts_from_roster(context: AppContext, command: AccountsFromRoster) -> list[Invitation]:
    """Create the missing accounts of the roster, each with its invitation (audited)."""
    from kaohe.accounts.service import accounts_from_roster as store_accounts
    from kaohe.accounts.service import invite
    from kaohe.store.cycles import get_cycle

    authorize(command.actor, Action.MANAGE_ACCOUNTS, Scope(cycle=command.cycle))
    by = command.actor.account
    with context.unit_of_work(command.actor) as uow:
        made = store_accounts(uow.session, get_cycle(uow.session, command.cycle), by=by, now=uow.now, origin=command.origin)
        return [Invitation(a.name, a.role, a.display_name,
                           invitation_url(context, invite(uow.session, a.name, by=by, now=uow.now, origin=command.origin)))
                for a in made]


def invite_account(context: AppContext, command: InviteAccount) -> str:
    """The new invitation link (after the reset, with ``reset``); audited."""
    from kaohe.accounts.service import invite, reset

    authorize(command.actor, Action.MANAGE_ACCOUNTS, Scope())
    with context.unit_of_work(command.actor) as uow:
        give = reset if command.reset else invite
        return invitation_url(context, give(uow.session, command.name, by=command.actor.account, now=uow.now, origin=command.origin))


def issue_api_token(context: AppContext, command: IssueApiToken) -> str:
    """The token, shown this once (only its hash is kept); audited."""
    from kaohe.accounts.service import issue_api_token as store_token

    authorize(command.actor, Action.MANAGE_ACCOUNTS, Scope())
    with context.unit_of_work(command.actor) as uow:
        return store_token(uow.session, command.name, label=command.label, by=command.actor.account, now=uow.now,
                           origin=command.origin)
