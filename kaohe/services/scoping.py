"""Looking up what a permission check needs from the cycle's roster."""

from __future__ import annotations

from kaohe.models import Cycle, Unit
from kaohe.services.permissions import Scope


def verifiers_of(cycle: Cycle, unit: Unit) -> frozenset[str]:
    """The verifier units in charge of ``unit``: those of its township, and those without a township."""
    return frozenset(v.code for v in cycle.units
                     if v.role == "verifier" and (v.township is None or v.township == unit.township))


def unit_scope(cycle: Cycle, unit: Unit) -> Scope:
    """The scope of an action on ``unit`` of ``cycle``."""
    return Scope(cycle=cycle.key, unit=unit.code, verified_by=verifiers_of(cycle, unit))
