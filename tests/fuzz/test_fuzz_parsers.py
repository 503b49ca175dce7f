"""Fuzz and property tests of every parser (issue #11): whatever comes in, the answer is a success or a known
kaohe error (never another exception, never a hang), and a refused input leaves nothing written.

Bounded for CI: small ``max_examples`` per test (the ``ci`` profile in tests/conftest.py replays the same
examples every run), no per-example deadline; the whole module runs in well under a minute.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.clock import parse_instant
from kaohe.errors import ExternalServiceError, InputError, KaoheError
from kaohe.evaluator.answer import read_ack, read_review_answer
from kaohe.evidence.orders import parse_scores
from kaohe.roster import read_roster
from kaohe.schemes import load_scheme, load_scheme_file
from kaohe.scoring.loader import spec_from_mapping
from kaohe.scoring.sheet import parse_previous, parse_score_sheet
from kaohe.settings import PROJECT_ROOT
from kaohe.unitcodes import code_problem, key_part

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
MILE_TEXT = (PROJECT_ROOT / "schemes" / "mile.yaml").read_text(encoding="utf-8")
MILE_LINES = MILE_TEXT.splitlines()
MILE_SPEC = spec_from_mapping(load_scheme("mile", PROJECT_ROOT / "schemes").model_dump(mode="json").get("scoring"), "mile")

NASTY = st.sampled_from([
    "", " ", "0", "-1", "1E-999999999", "1e999999999", "NaN", "Infinity", "=1+1", "@SUM(A1)", "../../etc/passwd", "A/B",
    "\x1b[31m", "\n", "\r\n", "\x00", "是", "否", "无任务", "9999-12-31", "0001-01-01", "2017-02-30", "[" * 50, "{}", "'", '"',
    "１２３", "\u200b", "𠀀", "A" * 300, "1/0", "3/0", "0.0000000000000000000000000000001", "12345678901234567890123456789012345",
])
CELL = st.one_of(NASTY, st.text(max_size=30))


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append([_cell_value(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_value(value: object) -> object:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


@FUZZ
@given(st.integers(min_value=0, max_value=len(MILE_LINES) - 1), CELL)
def test_scheme_yaml_with_one_line_changed(line: int, value: str) -> None:
    lines = list(MILE_LINES)
    key, sep, _ = lines[line].partition(":")
    lines[line] = f"{key}{sep} {value}" if sep else value
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "county.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            load_scheme_file(path)
        except KaoheError:
            pass


@FUZZ
@given(st.binary(max_size=400))
def test_scheme_yaml_of_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "any.yaml"
        path.write_bytes(data)
        with pytest.raises(KaoheError):
            load_scheme_file(path)


ROSTER_HEADER = ["编码", "名称", "角色", "上级", "邮箱", "手机", "企业微信", "钉钉", "飞书", "回调", "统一社会信用代码"]


@FUZZ
@given(st.lists(st.lists(CELL, min_size=0, max_size=len(ROSTER_HEADER) + 1), min_size=0, max_size=6),
       st.sampled_from([".csv", ".xlsx"]), st.integers(min_value=0, max_value=2))
def test_roster_files(rows: list[list[str]], suffix: str, title_rows: int) -> None:
    content = [["名册"]] * title_rows + [ROSTER_HEADER] + rows
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"roster{suffix}"
        path.write_bytes(_csv(content) if suffix == ".csv" else _xlsx(content))
        try:
            units = read_roster(path)
        except KaoheError:
            return
    for unit in units:
        assert code_problem(unit.code) is None and key_part(unit.code) == unit.code


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["a.csv", "a.xlsx"]))
def test_roster_of_arbitrary_bytes(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(data)
        try:
            read_roster(path)
        except KaoheError:
            pass


SHEET_HEADER = ["单位代码", "单位名称", "分组", "分组类型", "基础分", "资金投入加分", "存在问题", "改进建议"]


@FUZZ
@given(st.lists(st.lists(CELL, min_size=0, max_size=9), min_size=0, max_size=5), st.sampled_from(["s.csv", "s.xlsx"]))
def test_score_sheets(rows: list[list[str]], name: str) -> None:
    assert MILE_SPEC is not None
    content = [SHEET_HEADER] + rows
    data = _csv(content) if name.endswith(".csv") else _xlsx(content)
    for parse in (parse_score_sheet, parse_previous):
        try:
            parse(data, name, MILE_SPEC)
        except KaoheError:
            pass


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["s.csv", "s.xlsx", "s.txt"]))
def test_score_sheet_of_arbitrary_bytes(data: bytes, name: str) -> None:
    assert MILE_SPEC is not None
    try:
        parse_score_sheet(data, name, MILE_SPEC)
    except KaoheError:
        pass


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10), NASTY),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)),
    max_leaves=20,
)


@FUZZ
@given(st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v)),
    st.fixed_dictionaries({"review_id": st.sampled_from(["r1", "r2"]), "status": st.sampled_from(["complete", "partial", "x"]),
                           "results": st.lists(st.dictionaries(st.sampled_from(["unit", "score", "share", "findings", "severity"]),
                                                               JSON_VALUES, max_size=5), max_size=4)}).map(json.dumps),
    st.integers(min_value=1, max_value=200_000).map(lambda n: "[" * n),
    st.binary(max_size=200),
))
def test_evaluator_answers(body: str | bytes) -> None:
    result = read_review_answer(body, review_id="r1", sample=["ML-A01", "ML-A02"])
    assert result.review_id == "r1"
    try:
        read_ack(body, review_id="r1")
    except ExternalServiceError:
        pass


@FUZZ
@given(st.one_of(NASTY, st.text(max_size=40), st.datetimes().map(lambda d: d.isoformat())))
def test_instants_from_the_command_line(text: str) -> None:
    try:
        value = parse_instant(text)
    except InputError:
        return
    assert value.tzinfo is not None and 2000 <= value.year <= 2100


@FUZZ
@given(st.lists(st.one_of(st.tuples(CELL, CELL).map(lambda p: f"{p[0]}={p[1]}"), CELL), max_size=4))
def test_order_scores_from_the_command_line(pairs: list[str]) -> None:
    try:
        scores = parse_scores(pairs)
    except ValueError:
        return
    assert all(value >= 0 for value in scores.values())


@FUZZ
@given(st.text(max_size=80))
def test_unit_codes(code: str) -> None:
    if code_problem(code) is None:
        assert key_part(code) == code and "/" not in code and "\n" not in code and len(code) <= 64


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(year=st.one_of(st.integers(min_value=-5, max_value=12000), st.sampled_from([1, 2000, 2019, 2100, 9999])),
       event=st.one_of(st.none(), CELL))
def test_plan_from_the_command_line(capsys: pytest.CaptureFixture[str], kaohe_env: Path, year: int, event: str | None) -> None:
    args = ["plan", "inner-mongolia-teams", "--year", str(year)] + (["--event", f"summary_meeting={event}"] if event is not None else [])
    code = run(cli, args)
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    assert code == 0 or (err.startswith(("错误：", "Error", "Usage")) and code in {1, 2, 3, 4, 5})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.lists(CELL, min_size=2, max_size=4), min_size=1, max_size=3))
def test_cycle_create_from_a_fuzzed_roster_is_all_or_nothing(capsys: pytest.CaptureFixture[str], kaohe_env: Path,
                                                            rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        roster = Path(directory) / "roster.csv"
        roster.write_bytes(_csv([["编码", "名称", "角色", "上级"], ["ML-C01", "市联席办", "协调办公室", ""], *rows]))
        key = f"fuzz-{uuid.uuid4().hex[:10]}"
        code = run(cli, ["cycle", "create", "mile", "--year", "2018", "--roster", str(roster), "--key", key])
        _, err = capsys.readouterr()
    assert "Traceback" not in err
    run(cli, ["cycle", "list", "--json"])
    out, _ = capsys.readouterr()
    created = key in {c["cycle"] for c in json.loads(out)}
    assert created == (code == 0)
