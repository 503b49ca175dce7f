"""Importing a roster into a cycle under way: new units owe what is still open, known ones are updated, nothing
half-written when a row is refused; the CLI prints what changed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from kaohe.cli import cli, run
from kaohe.db import session_scope
from kaohe.errors import InputError
from kaohe.models import Obligation, Unit
from kaohe.services import AppContext, local_operator
from kaohe.services.roster import ImportRoster, import_roster
from kaohe.store.cycles import get_cycle

HEADER = "编码,名称,角色,乡镇,上级,邮箱\n"
KEPT = ("A2,弥勒市乙局,被考核单位,新哨镇,C1,a2@example.org\nV1,弥阳镇扶贫工作站,核查单位,弥阳镇,C1,v1@example.org\n"
        "C1,市联席办,协调办公室,,,c1@example.org\n")


def _units(url: str, key: str) -> dict[str, tuple[str, str, int]]:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        counts: dict[int, int] = {}
        for unit_id in session.scalars(select(Obligation.unit_id).where(Obligation.cycle_id == cycle.id)):
            counts[unit_id] = counts.get(unit_id, 0) + 1
        return {u.code: (u.name, u.contacts.get("email", ""), counts.get(u.id, 0))
                for u in session.scalars(select(Unit).where(Unit.cycle_id == cycle.id))}


def test_new_units_join_known_ones_are_updated_and_missing_ones_stay(context: AppContext, make_cycle: Callable[[], str],
                                                                     tmp_path: Path) -> None:
    key = make_cycle()
    before = _units(context.database_url, key)
    roster = tmp_path / "new.csv"
    roster.write_text(HEADER + "A1,弥勒市甲局（更名）,被考核单位,弥阳镇,C1,new-a1@example.org\n" + KEPT
                      + "A3,弥勒市丙局,被考核单位,弥阳镇,C1,a3@example.org\n", encoding="utf-8")
    done = import_roster(context, ImportRoster(local_operator("c1"), key, roster))
    assert done.added == ("A3",) and done.missing == ("V2",) and done.unchanged == 3
    assert set(done.updated["A1"]) == {"name", "contacts"}
    after = _units(context.database_url, key)
    assert after["A1"] == ("弥勒市甲局（更名）", "new-a1@example.org", before["A1"][2])
    assert after["A3"][2] == before["A2"][2] == done.obligations > 0  # owes what an assessed unit owes
    assert after["V2"] == before["V2"]


def test_a_changed_role_is_refused_and_nothing_is_written(context: AppContext, make_cycle: Callable[[], str], tmp_path: Path) -> None:
    key = make_cycle()
    before = _units(context.database_url, key)
    roster = tmp_path / "bad.csv"
    roster.write_text(HEADER + "A1,弥勒市甲局,核查单位,弥阳镇,C1,a1@example.org\nA4,新单位,被考核单位,弥阳镇,C1,a4@example.org\n" + KEPT,
                      encoding="utf-8")
    with pytest.raises(InputError, match="A1.*不能改变单位角色"):
        import_roster(context, ImportRoster(local_operator("c1"), key, roster))
    assert _units(context.database_url, key) == before


def test_the_cli_imports_and_says_what_changed(context: AppContext, make_cycle: Callable[[], str], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from kaohe.settings import get_settings

    key = make_cycle()
    roster = tmp_path / "cli.csv"
    roster.write_text(HEADER + KEPT + "A5,弥勒市戊局,被考核单位,新哨镇,C1,a5@example.org\n", encoding="utf-8")
    monkeypatch.setenv("KAOHE_DATABASE_URL", context.database_url)
    monkeypatch.setenv("KAOHE_HOME", str(tmp_path))
    get_settings.cache_clear()
    try:
        assert run(cli, ["cycle", "import-roster", key, "--roster", str(roster)]) == 0
    finally:
        get_settings.cache_clear()
    out = capsys.readouterr().out
    assert f"已导入 {key} 的名单：新增 1 个单位" in out and "名单未列（保持不变）：A1、V2" in out
