"""Who is acting: an account with one role, and the unit or cycles it may act for."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """The roles of the permission model (accounts are kept by the web portal)."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    LEADER = "leader"
    UNIT = "unit"
    VERIFIER = "verifier"
    LEAD_ASSESSOR = "lead_assessor"
    EVALUATOR = "evaluator"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The acting account.

    ``unit`` is the roster code a unit or verifier account acts for; ``cycles`` the cycle keys a
    coordinator, leader or lead assessor may act on (None: every cycle).
    """

    account: str
    role: Role
    unit: str | None = None
    cycles: frozenset[str] | None = None


def system(name: str) -> Actor:
    """The actor of a scheduled flow or task, e.g. ``system("flow:advance-cycle")``."""
    return Actor(account=name, role=Role.SYSTEM)


def local_operator(account: str) -> Actor:
    """The CLI's actor: the operator at the machine, trusted like an administrator.

    The account is the name the command was given (``--by``/``--actor``), so the audit log reads as before.
    """
    return Actor(account=account, role=Role.ADMIN)
