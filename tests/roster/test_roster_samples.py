"""The sample rosters shipped in ``samples/`` load cleanly and hold what the schemes need."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from kaohe.roster import RankingSequence, Role, read_roster

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MILE_TOWNSHIPS = {"弥阳镇", "新哨镇", "虹溪镇", "竹园镇", "朋普镇", "巡检司镇", "西一镇", "西二镇", "西三镇", "东山镇", "五山乡", "江边乡"}


@pytest.mark.parametrize("name", ["mile-roster.csv", "mile-roster-gb18030.csv", "sichuan-roster.csv", "inner-mongolia-roster.csv"])
def test_sample_loads_cleanly(name: str) -> None:
    assert read_roster(SAMPLES / name)


def test_gb18030_mile_sample_is_the_same_roster_in_another_encoding() -> None:
    gb_bytes = (SAMPLES / "mile-roster-gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gb_bytes.decode("utf-8")
    assert gb_bytes.decode("gb18030") == (SAMPLES / "mile-roster.csv").read_text(encoding="utf-8")
    assert read_roster(SAMPLES / "mile-roster-gb18030.csv") == read_roster(SAMPLES / "mile-roster.csv")


def test_mile_sample_has_the_roles_of_the_scheme() -> None:
    entries = read_roster(SAMPLES / "mile-roster.csv")
    by_code = {entry.code: entry for entry in entries}
    roles = Counter(entry.role for entry in entries)
    assert roles == {Role.ASSESSED: 40, Role.VERIFIER: 12, Role.LEAD_ASSESSOR: 2, Role.COORDINATOR: 1, Role.ORGANIZATION_DEPT: 1}
    assessed = [entry for entry in entries if entry.role is Role.ASSESSED]
    assert {entry.kind for entry in assessed} == {"市级部门", "企事业单位", "人民团体", "非公企业"}
    assert {entry.township for entry in assessed} == MILE_TOWNSHIPS
    assert {entry.township for entry in entries if entry.role is Role.VERIFIER} == MILE_TOWNSHIPS
    for entry in assessed:
        assert entry.supervisor is not None
        assert by_code[entry.supervisor].role in (Role.LEAD_ASSESSOR, Role.COORDINATOR)
        assert entry.poor_township is not None
        assert entry.contacts["email"].endswith(("@example.org", "@example.com"))
    poor = {entry.township for entry in entries if entry.poor_township}
    assert poor and poor < MILE_TOWNSHIPS
    channels = Counter(channel for entry in entries for channel in entry.contacts)
    assert all(channels[channel] > 0 for channel in ("email", "phone", "wecom", "dingtalk", "feishu", "webhook"))
    assert all(entry.contacts["webhook"].startswith("http://127.0.0.1") for entry in entries if "webhook" in entry.contacts)
    assert any(entry.credit_code for entry in assessed if entry.kind == "非公企业")


def test_sichuan_sample_has_21_cities_and_poor_counties_in_four_regions() -> None:
    entries = read_roster(SAMPLES / "sichuan-roster.csv")
    cities = [entry for entry in entries if entry.kind == "市州"]
    counties = [entry for entry in entries if entry.kind == "县"]
    assert len(cities) == 21
    assert {entry.region for entry in counties} == {"秦巴山区", "乌蒙山区", "大小凉山彝区", "高原藏区"}
    assert all(Counter(entry.region for entry in counties)[region] >= 3 for region in {"秦巴山区", "乌蒙山区", "大小凉山彝区", "高原藏区"})
    city_names = {entry.city for entry in cities}
    assert all(entry.city in city_names for entry in counties)
    assert {entry.attributes["计划摘帽"] for entry in counties} == {"是", "否"}


def test_inner_mongolia_sample_covers_every_ranking_sequence() -> None:
    entries = read_roster(SAMPLES / "inner-mongolia-roster.csv")
    by_code = {entry.code: entry for entry in entries}
    assert {entry.sequence for entry in entries if entry.sequence} == set(RankingSequence)
    for entry in entries:
        if entry.sequence not in (None, RankingSequence.TEAM):
            assert entry.supervisor is not None
            assert by_code[entry.supervisor].sequence is RankingSequence.TEAM
