"""The delivery record (催办记录): seal what happened since the last seal, check the chain, hand back the rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kaohe.errors import StateError
from kaohe.services.actors import Actor
from kaohe.services.context import AppContext
from kaohe.services.permissions import Action, Scope, authorize
from kaohe.store.cycles import get_cycle, get_unit
from kaohe.store.proof import LedgerRow, Verification, ledger_rows, seal, verify_chain, verify_ledger


@dataclass(frozen=True)
class SealRecord:
    """Seal ``cycle``'s record and return it whole (or only the rows about ``unit``)."""

    actor: Actor
    cycle: str
    unit: str | None = None


@dataclass(frozen=True)
class SealedRecord:
    """The rows to export, how many were sealed now, and the hash of the last row of the whole chain."""

    cycle: str
    unit: str | None
    rows: tuple[LedgerRow, ...]
    sealed: int
    head: str


def seal_record(context: AppContext, command: SealRecord) -> SealedRecord:
    """Seal, then verify the whole chain; a record that fails verification is refused (StateError), nothing sealed."""
    authorize(command.actor, Action.SEAL_RECORD, Scope(cycle=command.cycle))
    with context.unit_of_work(command.actor) as uow:
        cycle = get_cycle(uow.session, command.cycle)
        if command.unit is not None:
            get_unit(uow.session, cycle, command.unit)
        added = seal(uow.session, cycle, now=uow.now)
        check = verify_ledger(uow.session, cycle)
        if not check.ok:
            raise StateError(f"{cycle.key} 的催办记录未通过核验，拒绝导出：{check.problems[0]}（共{len(check.problems)}处）")
        rows = ledger_rows(uow.session, cycle, unit_code=command.unit)
        uow.audit("record.sealed", cycle_id=cycle.id, subject=cycle.key, detail={"sealed": added, "unit": command.unit, "head": check.head})
        return SealedRecord(cycle.key, command.unit, tuple(rows), added, check.head)


def verify_record(context: AppContext, cycle: str) -> Verification:
    """Recompute the cycle's chain and compare each sealed message with its outbox row (read only)."""
    with context.reading() as session:
        return verify_ledger(session, get_cycle(session, cycle))


def verify_export(path: Path) -> tuple[Verification, bool]:
    """Re-check the hash chain of an exported XLSX file; also says whether it is a whole cycle's record (a unit's
    extract can only be checked row by row: deleted rows show against the database)."""
    from kaohe.proof import read_xlsx

    rows, whole = read_xlsx(path)
    return verify_chain(rows, contiguous=whole), whole
