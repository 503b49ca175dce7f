"""The merged working-day calendar kept in the CLI's cache: the same calendar as parsing the files, read again
when either file changes, and an unusable entry only costs a parse."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kaohe.errors import HolidayDataError
from kaohe.workdays import load_calendar

OVERRIDE = "years:\n  2027:\n    holidays: {2027-02-08: 春节}\n    workdays: {2027-02-20: 春节调休}\n"


def _override(tmp_path: Path, text: str = OVERRIDE) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_cached_calendar_is_the_parsed_one(tmp_path: Path) -> None:
    override, cache = _override(tmp_path), tmp_path / "cache"
    parsed = load_calendar(override)
    assert load_calendar(override, cache_dir=cache) == parsed and len(list(cache.glob("*.json"))) == 1
    again = load_calendar(override, cache_dir=cache)
    assert again == parsed and again.fingerprint() == parsed.fingerprint()
    assert again.covers(2027) and not again.is_working_day(dt.date(2027, 2, 8)) and again.is_working_day(dt.date(2027, 2, 20))
    assert load_calendar(cache_dir=cache) == load_calendar() and len(list(cache.glob("*.json"))) == 2


def test_a_changed_override_is_parsed_again(tmp_path: Path) -> None:
    override, cache = _override(tmp_path), tmp_path / "cache"
    load_calendar(override, cache_dir=cache)
    override.write_text(OVERRIDE.replace("2027-02-08: 春节", "2027-02-09: 春节"), encoding="utf-8")
    changed = load_calendar(override, cache_dir=cache)
    assert changed.is_working_day(dt.date(2027, 2, 8)) and not changed.is_working_day(dt.date(2027, 2, 9))
    override.write_text("years: {2027: {holidays: {2026-01-01: 元旦}}}\n", encoding="utf-8")
    for _ in range(2):  # a bad file is never kept: its problem is reported every time
        with pytest.raises(HolidayDataError, match="不属于 2027 年"):
            load_calendar(override, cache_dir=cache)


def test_an_unusable_entry_or_cache_only_costs_a_parse(tmp_path: Path) -> None:
    override, cache = _override(tmp_path), tmp_path / "cache"
    parsed = load_calendar(override, cache_dir=cache)
    for entry in cache.glob("*.json"):
        entry.write_bytes(b'{"holidays": [1, 2]}')
    assert load_calendar(override, cache_dir=cache) == parsed
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    assert load_calendar(override, cache_dir=blocked / "calendar") == parsed
