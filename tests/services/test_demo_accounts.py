"""``kaohe web --demo``'s accounts through the service: only an administrator makes them, one per portal role on the
newest cycle, each password set through the invitation path (audited); running it again replaces the passwords."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kaohe.accounts.service import authenticate
from kaohe.clock import BEIJING
from kaohe.errors import AuthError, PermissionDeniedError
from kaohe.models import Account, AuditEntry
from kaohe.services import Actor, AppContext, Role, local_operator
from kaohe.services.demo import DemoAccounts, demo_accounts, simulated_instant
from kaohe.store.cycles import get_cycle


def logs_in(context: AppContext, name: str, password: str) -> bool:
    """Whether ``name`` logs in with ``password`` now."""
    with context.session_scope() as session:
        try:
            authenticate(session, name, password, now=context.clock.now())
        except AuthError:
            return False
        return True


def test_demo_accounts_log_in_and_are_renewed_each_time(context: AppContext, make_cycle: Callable[[], str]) -> None:
    make_cycle()
    with pytest.raises(PermissionDeniedError):
        demo_accounts(context, DemoAccounts(Actor("A1", Role.UNIT, unit="A1")))
    first = demo_accounts(context, DemoAccounts(local_operator("demo")))
    roles = {a.role: a.name for a in first}
    # The small roster has an assessed unit and a verifier but no lead assessor or third party: those get demo logins.
    assert roles == {"admin": "demo-admin", "coordinator": "demo-coord", "leader": "demo-leader", "unit": "A1", "verifier": "V1",
                     "lead_assessor": "demo-lead", "evaluator": "demo-evaluator"}
    assert all(logs_in(context, a.name, a.password) for a in first)
    second = demo_accounts(context, DemoAccounts(local_operator("demo")))
    assert [a.name for a in second] == [a.name for a in first]
    assert all(logs_in(context, a.name, a.password) and not logs_in(context, a.name, old.password) for a, old in zip(second, first))
    with context.reading() as session:
        assert session.scalar(select(Account.role).where(Account.name == "demo-coord")) == "coordinator"
        invited = session.scalars(select(AuditEntry.subject).where(AuditEntry.action == "account.invited", AuditEntry.actor == "demo")).all()
    assert sum(subject == "account:demo-admin" for subject in invited) >= 2


def test_the_simulated_instant_is_where_the_newest_cycle_was_advanced_to(context: AppContext, make_cycle: Callable[[], str]) -> None:
    older, newest = make_cycle(), make_cycle()
    at = dt.datetime(2019, 1, 25, 10, tzinfo=BEIJING)
    with context.session_scope() as session:
        get_cycle(session, older).advanced_to = at + dt.timedelta(days=30)
        get_cycle(session, newest).advanced_to = None
    assert simulated_instant(context) is None
    with context.session_scope() as session:
        get_cycle(session, newest).advanced_to = at
    assert simulated_instant(context) == at


@settings(max_examples=300, deadline=None)
@given(login=st.text(st.sampled_from("abcdefABCDEF0123456789-"), min_size=1, max_size=3))
def test_a_demo_password_always_meets_the_policy_even_for_a_short_hex_like_login(login: str) -> None:
    from kaohe.accounts.passwords import policy_problems
    from kaohe.services.demo import demo_password

    assert policy_problems(demo_password(login), login=login) == []
