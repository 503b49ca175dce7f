"""The Chinese working-day calendar: statutory holidays and adjusted working days (调休), as data.

The built-in table (``kaohe/data/holidays.yaml``) comes from the State Council's yearly notices; an
office extends or corrects it with an override file of the same format (``KAOHE_HOLIDAYS_FILE``):
an override entry for a day wins, and a year present in either file counts as covered. For a year
covered by neither, only weekends are non-working days and every date in it is *provisional*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kaohe.errors import ConfigError, HolidayDataError, Problem

BUILTIN_TABLE = Path(__file__).parent / "data" / "holidays.yaml"
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class WorkdayCalendar:
    """Which days are working days. Pure: build it once, ask it anything."""

    holidays: Mapping[dt.date, str] = field(default_factory=dict)
    workdays: Mapping[dt.date, str] = field(default_factory=dict)
    covered_years: frozenset[int] = frozenset()

    def fingerprint(self) -> str:
        """SHA-256 (hex) of every holiday, adjusted working day and covered year: equal calendars, equal prints.

        A cycle stores the print of the calendar its dates were resolved with; another print means a holiday
        table was published or corrected since (``KAOHE_HOLIDAYS_FILE`` or the built-in table) and its dates
        must be resolved again.
        """
        import hashlib

        lines = [f"h {day.isoformat()} {name}" for day, name in sorted(self.holidays.items())]
        lines += [f"w {day.isoformat()} {name}" for day, name in sorted(self.workdays.items())]
        lines += [f"y {year}" for year in sorted(self.covered_years)]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def covers(self, year: int) -> bool:
        """Whether the official table for ``year`` is known (dates in other years are provisional)."""
        return year in self.covered_years

    def is_provisional(self, day: dt.date) -> bool:
        """A date computed without the official table of its year."""
        return not self.covers(day.year)

    def is_working_day(self, day: dt.date) -> bool:
        """Monday–Friday unless a holiday; Saturday/Sunday only when an adjusted working day."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def describe(self, day: dt.date) -> str:
        """Why a day is (not) a working day, in Chinese, e.g. '春节假期' or '调休上班日（春节）'."""
        if day in self.workdays:
            return f"调休上班日（{self.workdays[day]}）"
        if day in self.holidays:
            return f"{self.holidays[day]}假期"
        if day.weekday() >= 5:
            return f"周末（{WEEKDAYS_ZH[day.weekday()]}）"
        return "工作日"

    def next_working_day(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        """The first working day on or after ``day`` (strictly after when ``inclusive`` is false)."""
        current = day if inclusive else day + dt.timedelta(days=1)
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
        return current

    def previous_working_day(self, day: dt.date, *, inclusive: bool = True) -> dt.date:
        """The last working day on or before ``day`` (strictly before when ``inclusive`` is false)."""
        current = day if inclusive else day - dt.timedelta(days=1)
        while not self.is_working_day(current):
            current -= dt.timedelta(days=1)
        return current

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day ``count`` working days after (``count`` > 0) or before (< 0) ``day``.

        ``count == 0`` gives ``day`` itself if it is a working day, else the next one.
        """
        if count == 0:
            return self.next_working_day(day)
        step = dt.timedelta(days=1 if count > 0 else -1)
        current, remaining = day, abs(count)
        while remaining:
            current += step
            if self.is_working_day(current):
                remaining -= 1
        return current


def load_calendar(override: Path | None = None, *, builtin: Path = BUILTIN_TABLE, cache_dir: Path | None = None) -> WorkdayCalendar:
    """The built-in table merged with an optional override file; bad files raise HolidayDataError.

    With ``cache_dir`` (the CLI passes ``KAOHE_HOME/cache/calendar``) the merged calendar is kept there as JSON,
    keyed by the SHA-256 of both files' bytes and the size and modification time of this module, and read from
    there while they are unchanged: a command that plans then neither imports nor runs the YAML parser. Only a
    clean parse is kept; an entry that cannot be read or written is ignored.
    """
    if override is not None and (not override.exists() or not override.is_file()):
        kind = "不存在" if not override.exists() else "不是普通文件（是目录或特殊文件）"
        raise ConfigError(f"设置 KAOHE_HOLIDAYS_FILE 指向的 {override} {kind}；应为 YAML 或 JSON 格式的节假日文件")
    sources = [path for path in (builtin, override) if path is not None]
    entry = _cache_entry(cache_dir, sources) if cache_dir is not None else None
    if entry is not None:
        cached = _read_cached(entry)
        if cached is not None:
            return cached
    calendar = _merge(sources)
    if entry is not None:
        _write_cached(entry, calendar)
    return calendar


def _merge(sources: list[Path]) -> WorkdayCalendar:
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    covered: set[int] = set()
    for path in sources:
        for year, table in _read_table(path).items():
            covered.add(year)
            for day, name in table["holidays"].items():
                workdays.pop(day, None)
                holidays[day] = name
            for day, name in table["workdays"].items():
                holidays.pop(day, None)
                workdays[day] = name
    return WorkdayCalendar(holidays, workdays, frozenset(covered))


CACHE_FORMAT = 1


def _cache_entry(cache_dir: Path, sources: list[Path]) -> Path | None:
    import hashlib

    try:
        this = Path(__file__).stat()
        key = hashlib.sha256(f"{CACHE_FORMAT} {this.st_size} {this.st_mtime_ns}".encode())
        for path in sources:
            key.update(hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return None
    return cache_dir / f"{key.hexdigest()}.json"


def _read_cached(entry: Path) -> WorkdayCalendar | None:
    import json

    try:
        data = json.loads(entry.read_bytes())
        return WorkdayCalendar({dt.date.fromisoformat(k): str(v) for k, v in data["holidays"].items()},
                               {dt.date.fromisoformat(k): str(v) for k, v in data["workdays"].items()},
                               frozenset(int(y) for y in data["covered_years"]))
    except Exception:  # noqa: BLE001 - an unusable entry is a miss: the files are parsed again
        return None


def _write_cached(entry: Path, calendar: WorkdayCalendar) -> None:
    import json
    import os

    data = {"holidays": {d.isoformat(): n for d, n in calendar.holidays.items()},
            "workdays": {d.isoformat(): n for d, n in calendar.workdays.items()}, "covered_years": sorted(calendar.covered_years)}
    temporary = entry.with_name(f".{entry.name}.{os.getpid()}.part")
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, entry)
    except OSError:
        with suppress(OSError):
            temporary.unlink(missing_ok=True)


def _read_table(path: Path) -> dict[int, dict[str, dict[dt.date, str]]]:
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, about ten times faster, when PyYAML has it
    name = str(path)
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except FileNotFoundError:
        raise HolidayDataError(Problem("文件不存在", file=name)) from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise HolidayDataError(Problem(f"无法解析：{error}", file=name)) from None
    if not isinstance(document, dict) or not isinstance(document.get("years"), dict):
        raise HolidayDataError(Problem("缺少 years 映射", file=name, field="years"))
    problems: list[Problem] = []
    result: dict[int, dict[str, dict[dt.date, str]]] = {}
    for year_key, body in document["years"].items():
        where = f"years.{year_key}"
        try:
            year = int(year_key)
        except (TypeError, ValueError):
            problems.append(Problem("年份应为整数", file=name, field=where))
            continue
        if not isinstance(body, dict):
            problems.append(Problem("应为含 holidays、workdays 的映射", file=name, field=where))
            continue
        unknown = set(body) - {"holidays", "workdays"}
        if unknown:
            problems.append(Problem(f"未知字段 {sorted(unknown)}", file=name, field=where))
        result[year] = {
            label: _read_days(body.get(label) or {}, year, name, f"{where}.{label}", problems)
            for label in ("holidays", "workdays")
        }
    if problems:
        raise HolidayDataError(problems)
    return result


def _read_days(raw: Any, year: int, name: str, where: str, problems: list[Problem]) -> dict[dt.date, str]:
    if not isinstance(raw, dict):
        problems.append(Problem("应为 日期: 名称 的映射", file=name, field=where))
        return {}
    days: dict[dt.date, str] = {}
    for key, label in raw.items():
        try:
            day = key if isinstance(key, dt.date) else dt.date.fromisoformat(str(key))
        except ValueError:
            problems.append(Problem(f"日期 {key!r} 不是 YYYY-MM-DD", file=name, field=where))
            continue
        if day.year != year:
            problems.append(Problem(f"日期 {day} 不属于 {year} 年", file=name, field=where))
            continue
        days[day] = str(label)
    return days


def builtin_calendar() -> WorkdayCalendar:
    """The built-in holiday table alone (cached); an application context merges its holiday file in."""
    return _cached_calendar(None)


@lru_cache(maxsize=4)
def _cached_calendar(override: Path | None) -> WorkdayCalendar:
    return load_calendar(override)
