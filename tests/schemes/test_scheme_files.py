"""Scheme files: the five shipped ones load; a bad file is refused with its file, field and reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.errors import SchemeError
from kaohe.schemes import load_scheme_file, scheme_files
from kaohe.settings import PROJECT_ROOT

SCHEMES = PROJECT_ROOT / "schemes"
MILE = (SCHEMES / "mile.yaml").read_text(encoding="utf-8")


def test_the_five_schemes_ship() -> None:
    assert [p.stem for p in scheme_files(SCHEMES)] == ["inner-mongolia-teams", "mile", "ordos", "qujiang", "sichuan"]


@pytest.mark.parametrize("path", scheme_files(SCHEMES), ids=lambda p: p.stem)
def test_every_shipped_scheme_is_valid_and_names_its_source(path: Path) -> None:
    scheme = load_scheme_file(path)
    assert scheme.id == path.stem
    seeds = PROJECT_ROOT.parent / "shared" / "seeds"
    if seeds.is_dir():
        assert (seeds / scheme.source).is_file(), f"{scheme.source} is not among the source documents"
    for stage in scheme.stages:
        assert stage.clause
        for spec in (stage.opens, stage.due):
            if spec is not None and spec.origin == "default":
                assert spec.note, f"{stage.id}: a default date must say why"


def test_mile_dates_are_the_source_dates() -> None:
    scheme = load_scheme_file(SCHEMES / "mile.yaml")
    dues = {s.id: s.due.date for s in scheme.stages}
    assert dues["self_check"] == "Y+1-01-23"
    assert dues["submission"] == "Y+1-01-24"
    assert dues["verification"] == "Y+1-01-26"
    assert dues["paper_materials"] == "Y+1-01-26"
    assert dues["city_evaluation"] == "Y+1-02-14"
    assert dues["spot_check"] == "Y+1-02-28"
    assert dues["summary"] == "Y+1-03-07"
    assert dues["rectification"] == "Y+1-03-17"


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in MILE
    path = tmp_path / "county.yaml"
    path.write_text(MILE.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "field", "reason"),
    [
        ("due: {date: Y+1-01-23, origin: source}", "due: {date: Y+1-01-32, origin: source}", "stages[0](self_check).due.date", "1–31"),
        ("due: {date: Y+1-01-23, origin: source}", "due: {date: Y+1-01-23, origin: guess}", "stages[0](self_check).due.origin", "source"),
        ("due: {date: Y+1-01-23, origin: source}", "due: {date: Y+1-01-23, origin: default}", "stages[0](self_check).due", "note"),
        ("    actor: assessed\n    clause: 第五条（一）\n    description: 对照", "    actor: boss\n    clause: 第五条（一）\n    description: 对照", "stages[0](self_check).actor", "assessed"),
        ("    reminders: unit\n  - id: submission", "    remindrs: unit\n  - id: submission", "stages[0](self_check).remindrs", "未知字段"),
        ("  - id: submission", "  - id: self_check", None, "重复"),
        ("opens: {date: stage.feedback.due,", "opens: {date: stage.nothing.due,", None, "不存在的阶段"),
        ("    reminders: unit\n  - id: submission", "    reminders: loud\n  - id: submission", None, "未定义的提醒方案"),
        ("    before: [5, 2]", "    before: [5, -2]", "reminder_plans.unit.before", "正整数"),
        ("due: {date: Y+1-03-17, origin: source}", "due: {date: Y+1-02-29, origin: source}", None, "闰年"),
        ("due: {date: Y+1-03-17, origin: source}", "due: {date: Y+1-03-01, origin: source}", None, "晚于截止日期"),
    ],
)
def test_bad_scheme_file_names_file_field_and_reason(tmp_path: Path, old: str, new: str, field: str | None, reason: str) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    if field:
        assert problem.field == field
    assert reason in problem.reason


def test_stage_reference_cycle_is_reported(tmp_path: Path) -> None:
    path = _broken(tmp_path, "due: {date: Y+1-03-07, origin: source, note:", "due: {date: stage.feedback.due - 1 days, origin: source, note:")
    with pytest.raises(SchemeError, match="循环引用"):
        load_scheme_file(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\nstages: [\n  - a\n", encoding="utf-8")
    with pytest.raises(SchemeError) as caught:
        load_scheme_file(path)
    assert caught.value.problems[0].row is not None and "YAML" in caught.value.problems[0].reason
