"""``kaohe score``: the what-if preview on each scheme's sample sheet (checked by hand), and bad sheets."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from results_support import DATA

from kaohe.cli import cli
from kaohe.cli.app import run

# Hand-checked expectations for tests/results/data/<scheme>-2018.csv: (unit, total, grade, rank, group).
EXPECTED = {
    "mile": [
        # 西一镇 (贫困乡镇, 2 优秀 places): M03 95+0 and M01 92+3 tie at 95.00, 基础分 breaks it; M02 88.5+2 = 90.50 over quota → 良好.
        ("M03", "95.00", "优秀", 1, "西一镇"), ("M01", "95.00", "优秀", 2, "西一镇"), ("M02", "90.50", "良好", 3, "西一镇"),
        # 弥阳镇: 79.99 is 合格; 68+1.5 = 69.50 falls between “69分以下” and “70分” → the lower grade (gap_policy lower).
        ("M05", "79.99", "合格", 1, "弥阳镇"), ("M04", "69.50", "不合格", 2, "弥阳镇"),
        # 非公企业: 86 + 资金投入 25 capped at 20 = 106.00.
        ("M06", "106.00", "优秀", 1, "非公企业"), ("M07", "60.00", "不合格", 2, "非公企业"),
    ],
    "sichuan": [
        ("C2", "90.00", None, 1, "市（州）"), ("C1", "80.00", None, 2, "市（州）"), ("C3", "70.00", None, 3, "市（州）"),
        # X2: 贫困人口脱贫 carries the weight of the two missing tasks, 16.25×3 = 48.75%: 90×48.75% + 80×51.25% = 84.875 → 84.88.
        ("X5", "95.00", None, 1, "秦巴山区"), ("X1", "85.00", None, 2, "秦巴山区"), ("X2", "84.88", None, 3, "秦巴山区"),
        ("X3", "75.00", None, 4, "秦巴山区"), ("X4", "65.00", None, 5, "秦巴山区"),
    ],
    "inner-mongolia-teams": [
        # 90×30%+80×20%+85×20%+70×5%+90×15%+A2(97)×10% = 86.70, +1 识别精准 = 87.70.
        ("T1", "87.70", "称职", 1, "工作总队"),
        # 90 across + B1(90) = 90, +2 派驻超过240天 = 92.00, but 30% of 1 leader = 0 优秀 places → 称职.
        ("L1", "92.00", "称职", 1, "队长"),
        # 50×85% + D3(63)×15% = 51.95, −2 派驻少于240天 = 49.95 → 不称职.
        ("P1", "49.95", "不称职", 1, "成员"),
    ],
}


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; exit code, stdout, stderr."""
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("scheme", sorted(EXPECTED))
def test_score_json_of_each_sample_sheet(capsys, kaohe_env, scheme: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "score", scheme, "--input", str(DATA / f"{scheme}-2018.csv"), "--json")
    assert (code, err) == (0, "")
    results = json.loads(out)["results"]
    assert [(r["unit"], r["total"], r["grade"], r["rank"], r["group"]) for r in results] == EXPECTED[scheme]
    assert not any("explanation" in r for r in results)
    assert out.count("\n") == 1  # compact: one line
    explained = json.loads(kaohe(capsys, "score", scheme, "--input", str(DATA / f"{scheme}-2018.csv"), "--json", "--explain")[1])
    assert [{k: v for k, v in r.items() if k != "explanation"} for r in explained["results"]] == results
    assert all("explanation" in r for r in explained["results"])


def test_score_json_explains_the_open_choices(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    _, out, _ = kaohe(capsys, "score", "mile", "--input", str(DATA / "mile-2018.csv"), "--json", "--explain")
    by_unit = {r["unit"]: r for r in json.loads(out)["results"]}
    assert by_unit["M02"]["explanation"]["grade_before_quota"] == "优秀"
    assert "名额" in by_unit["M02"]["explanation"]["quota_reason"]
    assert Decimal(by_unit["M06"]["explanation"]["bonus"]["applied"]) == 20
    assert [d["selected"] for d in by_unit["M06"]["explanation"]["decisions"]] == [True]
    sichuan = kaohe(capsys, "score", "sichuan", "--input", str(DATA / "sichuan-2018.csv"), "--json", "--explain")[1]
    c3 = next(r for r in json.loads(sichuan)["results"] if r["unit"] == "C3")
    assert {d["id"]: d["selected"] for d in c3["explanation"]["decisions"]} == {"advanced": False, "bottom": True}


def test_score_table_for_people(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = kaohe(capsys, "score", "mile", "--input", str(DATA / "mile-2018.csv"))
    assert code == 0
    assert "106.00" in out and "不合格" in out and "未保存" in out


def test_a_bad_sheet_prints_one_line_per_problem(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "bad.csv"
    sheet.write_text(
        "单位代码,单位名称,分组,分组类型,基础分,资金投入加分\n"
        "M01,市财政局,西一镇,贫困乡镇,101,3\n"
        ",市教育局,西一镇,贫困乡镇,80,\n"
        "M03,市卫健局,西一镇,贫困乡镇,八十,-2\n",
        encoding="utf-8",
    )
    code, out, err = kaohe(capsys, "score", "mile", "--input", str(sheet), "--json")
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        f"错误：{sheet}，第2行，字段 基础分：101 超出范围 0–100",
        f"错误：{sheet}，第3行，字段 单位代码：单位代码为空",
        f"错误：{sheet}，第4行，字段 基础分：“八十”不是数值",
        f"错误：{sheet}，第4行，字段 资金投入加分：“-2”不能为负数",
    ]


@pytest.mark.parametrize("scheme", ["qujiang", "ordos"])
def test_a_scheme_without_a_formula_cannot_be_previewed(capsys, kaohe_env, scheme: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = kaohe(capsys, "score", scheme, "--input", str(DATA / "mile-2018.csv"))
    assert (code, out) == (5, "")
    assert err.count("\n") == 1 and "scoring: null" in err


def test_a_missing_sheet_is_one_line(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = kaohe(capsys, "score", "mile", "--input", str(tmp_path / "none.csv"))
    assert code == 3 and err.strip() == f"错误：{tmp_path / 'none.csv'}：文件不存在"
