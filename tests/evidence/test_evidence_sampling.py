"""Each scheme's sampling rule through a cycle: candidates from the roster, a verifiable draw, the drawn units told."""

from __future__ import annotations

import json

import pytest
from evidence_support import SICHUAN, bj, draw_stage, verify_stage
from sqlalchemy import select

from kaohe.db import session_scope
from kaohe.errors import InputError, StateError
from kaohe.models import OutboxMessage, Unit
from kaohe.sampling import Exclusion, seed_hash, verify
from kaohe.store.cycles import get_cycle

INNER_MONGOLIA = "编码,名称,类别,角色,市州,县,上级,邮箱\nOFFICE,管理办公室,管理办公室,协调办公室,,,,office@example.org\n" + "".join(
    f"HD-T{n},化德县第{n}苏木,苏木乡镇,,乌兰察布市,化德县,OFFICE,\n" for n in range(1, 7)
) + "".join(f"HD-V{n},化德县第{n}嘎查,嘎查村,,乌兰察布市,化德县,OFFICE,\n" for n in range(1, 11)) + "".join(
    f"SZ-T{n},四子王旗第{n}苏木,苏木乡镇,,乌兰察布市,四子王旗,OFFICE,\n" for n in range(1, 4)
) + "".join(f"SZ-V{n},四子王旗第{n}嘎查,嘎查村,,乌兰察布市,四子王旗,OFFICE,\n" for n in range(1, 6))

QUJIANG = "编码,名称,类别,角色,乡镇,上级,邮箱\nC1,区扶贫办,机关,协调办公室,,,c1@example.org\n" + "".join(
    f"MB{n},马坝镇单位{n},单位,被考核单位,马坝镇,C1,mb{n}@example.org\n" for n in range(1, 6)
) + "".join(f"MBV{n},马坝镇某村{n},村,抽查对象,马坝镇,C1,mbv{n}@example.org\n" for n in range(1, 6)
) + "".join(f"MBH{n},马坝镇某户{n},户,抽查对象,马坝镇,C1,\n" for n in range(1, 5)
) + "".join(f"DTV{n},大塘镇某村{n},村,抽查对象,大塘镇,C1,dtv{n}@example.org\n" for n in range(1, 4))


def _selected(result: dict) -> dict[tuple[str, ...], list[str]]:  # type: ignore[type-arg]
    return {tuple(s["stratum"]): s["selected"] for s in result["strata"]}


def _messages(url: str, key: str, kind: str = "sample_drawn") -> list[tuple[str, str]]:
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        return sorted(session.execute(select(Unit.code, OutboxMessage.subject).join(Unit, Unit.id == OutboxMessage.unit_id)
                                      .where(OutboxMessage.cycle_id == cycle.id, OutboxMessage.kind == kind)).tuples())


def test_sichuan_city_without_an_exiting_county_gets_two_counties_at_random(database_url, make_cycle, home) -> None:
    key = make_cycle("sichuan", 2019, SICHUAN)
    result = draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 2), seed="sc-2019")
    chosen = _selected(result)
    assert chosen[("巴中市",)] == ["BZ2", "BZ3"]
    assert len(chosen[("广元市",)]) == 2 and set(chosen[("广元市",)]) < {"GY1", "GY2", "GY3"}
    assert {s["stratum"][0]: s["method"] for s in result["strata"]} == {"巴中市": "all", "广元市": "random"}
    assert result["shortfalls"] == []
    told = _messages(database_url, key)
    assert [code for code, _ in told] == sorted(c for c in result["selected"] if c != "BZ3")
    assert all(subject.endswith("被抽中参加“省级抽查”") for _, subject in told)
    assert verify_stage(database_url, key, "provincial_spot_check").ok


def test_inner_mongolia_county_with_fewer_than_four_townships_gives_them_all(database_url, make_cycle, home) -> None:
    key = make_cycle("inner-mongolia-teams", 2018, INNER_MONGOLIA)
    result = draw_stage(database_url, home, key, "field_sampling", by="OFFICE", now=bj(2019, 1, 8))
    chosen = _selected(result)
    assert len(chosen[("化德县", "township")]) == 4 and len(chosen[("化德县", "village")]) == 8
    assert sorted(chosen[("四子王旗", "township")]) == ["SZ-T1", "SZ-T2", "SZ-T3"]
    assert sorted(chosen[("四子王旗", "village")]) == [f"SZ-V{n}" for n in range(1, 6)]
    assert [(s["stratum"], s["wanted"], s["got"]) for s in result["shortfalls"]] == [
        (["四子王旗", "township"], 4, 3), (["四子王旗", "village"], 8, 5)]
    assert "应抽取 4 个，可抽单位只有 3 个" in result["shortfalls"][0]["reason"]


def test_qujiang_samples_villages_and_households_per_town_rounding_up(database_url, make_cycle, home) -> None:
    # 曲江 第六条（二）“按照一定比例入村入户抽查”: villages and households, never the assessed towns' units
    key = make_cycle("qujiang", 2018, QUJIANG)
    result = draw_stage(database_url, home, key, "spot_check", by="C1", now=bj(2019, 1, 15))
    selected = _selected(result)
    assert {k: len(v) for k, v in selected.items()} == {("大塘镇", "village"): 1, ("马坝镇", "household"): 1, ("马坝镇", "village"): 1}
    assert all(code.startswith(("MBV", "MBH", "DTV")) for codes in selected.values() for code in codes)


def test_mile_draws_by_its_default_rule_and_a_rule_can_be_given(database_url, make_cycle, home) -> None:
    key = make_cycle()
    result = draw_stage(database_url, home, key, "spot_check", by="L1", now=bj(2019, 2, 16))
    record = json.loads((home / f"samples/{key}/spot_check.json").read_text(encoding="utf-8"))
    assert record["rule"]["proportion"] == "0.2" and record["rule"]["stratify_by"] == ["township", "kind"]
    assert all(len(selected) >= 1 for selected in _selected(result).values())  # at least one per stratum
    other = make_cycle()
    result = draw_stage(database_url, home, other, "spot_check", by="L1", now=bj(2019, 2, 16),
                        rule_override={"rule": "proportion_stratified", "proportion": "0.5", "stratify_by": ["township"]})
    assert {k: len(v) for k, v in _selected(result).items()} == {("弥阳镇",): 1, ("虹溪镇",): 1}
    assert json.loads((home / f"samples/{other}/spot_check.json").read_text(encoding="utf-8"))["rule"]["proportion"] == "0.5"


def test_seed_hash_first_then_the_draw_with_that_seed(database_url, make_cycle, home) -> None:
    key = make_cycle("sichuan", 2019, SICHUAN)
    published = draw_stage(database_url, home, key, "provincial_spot_check", seed_hash_only=True, by="OFFICE", now=bj(2019, 12, 30),
                           exclusions=[Exclusion("GY1", "评估组成员曾在该县任职")])
    assert not published["drawn"] and _messages(database_url, key) == []
    with pytest.raises(StateError, match="不能再改变抽样规则或排除名单"):
        draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 2),
                   exclusions=[Exclusion("GY2", "另一理由")])
    result = draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 2))
    record = json.loads((home / result["record_file"]).read_text(encoding="utf-8"))
    assert record["seed_hash"] == published["seed_hash"] == seed_hash(record["seed"])
    assert record["inputs_hash"] == published["inputs_hash"]
    assert sorted(_selected(result)[("广元市",)]) == ["GY2", "GY3"]
    assert verify(record, expected_seed_hash=published["seed_hash"], expected_inputs_hash=published["inputs_hash"]).ok
    with pytest.raises(StateError, match="结果不可重抽"):
        draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 3))


def test_a_tampered_record_is_rejected(database_url, make_cycle, home) -> None:
    key = make_cycle("sichuan", 2019, SICHUAN)
    result = draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 2))
    record = json.loads((home / result["record_file"]).read_text(encoding="utf-8"))
    guangyuan = next(s for s in record["strata"] if s["stratum"] == ["广元市"])
    left_out = ({"GY1", "GY2", "GY3"} - set(guangyuan["selected"])).pop()
    guangyuan["selected"][0] = left_out
    report = verify(record)
    assert not report.ok
    assert any("抽中名单不符" in line for line in report.discrepancies)
    assert any("记录哈希" in line for line in report.discrepancies)


def test_not_a_sampling_stage_and_bad_exclusions(database_url, make_cycle, home) -> None:
    key = make_cycle("sichuan", 2019, SICHUAN)
    with pytest.raises(StateError, match="不是抽样阶段"):
        draw_stage(database_url, home, key, "self_check", by="OFFICE", now=bj(2020, 1, 2))
    with pytest.raises(InputError, match="排除的单位 'NOPE' 不在抽样总体中"):
        draw_stage(database_url, home, key, "provincial_spot_check", by="OFFICE", now=bj(2020, 1, 2),
                   exclusions=[Exclusion("NOPE", "理由")])
