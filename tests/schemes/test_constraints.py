"""鄂尔多斯 第六条（六）约束指标 scored as deductions by the scheme's stated default (the source gives no amount):
only banners and districts are assessed on them (第六条 对旗区考核; 第七条 市直部门 has no such content)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.schemes import load_scheme_file
from kaohe.schemes.constraints import ConstraintIndicators, deduction
from kaohe.settings import PROJECT_ROOT

ORDOS = load_scheme_file(PROJECT_ROOT / "schemes" / "ordos.yaml")
RULE = ORDOS.constraints
assert RULE is not None
HEADER = "单位代码,单位名称,类别,党风廉政建设责任制落实情况,资金使用违规违纪情况,扶贫领域作风建设情况\n"


def kaohe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; exit code, stdout, stderr."""
    code = run(cli, list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_three_indicators_apply_to_banners_only_with_a_stated_default() -> None:
    # 第六条（六）“党风廉政建设责任制落实情况、资金使用违规违纪情况以及扶贫领域作风建设情况等”
    assert [i.name for i in RULE.items] == ["党风廉政建设责任制落实情况", "资金使用违规违纪情况", "扶贫领域作风建设情况"]
    assert RULE.clause == "第六条（六）" and RULE.applies_to == ("旗区",)
    assert (RULE.points_per_finding, RULE.cap) == (Decimal(1), None) and "未规定" in RULE.note
    assert any("约束指标" in p and "第六条（六）" in p and "默认" in p and "constraints" in p for p in ORDOS.open_points)


def test_each_verified_finding_deducts_the_default_and_a_cap_binds_when_set() -> None:
    result = deduction(RULE, "DS", "东胜区", "旗区", {"integrity_duty": 1, "fund_violations": 2, "work_style": 0})
    assert not isinstance(result, list) and (result.deduction, result.capped) == (Decimal(3), False)
    capped = RULE.model_copy(update={"points_per_finding": Decimal("1.5"), "cap": Decimal(4)})
    result = deduction(capped, "DS", "东胜区", "旗区", {"integrity_duty": 1, "fund_violations": 2})
    assert not isinstance(result, list) and (result.deduction, result.capped) == (Decimal(4), True)


def test_a_city_department_is_not_assessed_on_them() -> None:
    # 第七条 市直部门的考核内容不含约束指标：填写即错误，不默认为0
    problems = deduction(RULE, "FGW", "市发改委", "市直部门", {"fund_violations": 1}, file="表.csv", row=3)
    assert isinstance(problems, list) and "类别“市直部门”不考核约束指标（第六条（六）只适用于旗区）" in str(problems[0])
    clean = deduction(RULE, "FGW", "市发改委", "市直部门", {"fund_violations": 0})
    assert not isinstance(clean, list) and clean.deduction == 0


@given(st.dictionaries(st.sampled_from(["integrity_duty", "fund_violations", "work_style"]), st.integers(0, 50)),
       st.decimals(min_value=Decimal("0.5"), max_value=Decimal(10), places=1), st.one_of(st.none(), st.integers(1, 30)))
def test_the_deduction_is_points_times_findings_never_above_the_cap(findings: dict[str, int], points: Decimal, cap: int | None) -> None:
    rule = ConstraintIndicators.model_validate({**RULE.model_dump(), "points_per_finding": points, "cap": cap})
    result = deduction(rule, "U", "单位", "旗区", findings)
    assert not isinstance(result, list)
    raw = points * sum(findings.values())
    assert result.deduction == (min(raw, Decimal(cap)) if cap is not None else raw)
    assert result.capped == (cap is not None and raw > cap)


def test_the_command_reads_csv_and_xlsx_and_prints_the_rule(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "约束指标.csv"
    sheet.write_text(HEADER + "DS,东胜区委区政府,旗区,1,是,\nZG,准格尔旗委旗政府,旗区,0,0,3\nFGW,市发改委,市直部门,,,\n", encoding="utf-8")
    code, out, err = kaohe(capsys, "constraints", "ordos", "--input", str(sheet), "--json")
    assert (code, err) == (0, "")
    payload = json.loads(out)
    assert [(r["unit"], r["deduction"]) for r in payload["results"]] == [("DS", "2"), ("ZG", "3"), ("FGW", "0")]
    assert "每查实一个问题扣1分，合计不设上限" in payload["rule"] and "只考核旗区" in payload["rule"]
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["约束指标查实情况"])
    ws.append(HEADER.strip().split(","))
    ws.append(["DS", "东胜区委区政府", "旗区", 2, 0, 1])
    book.save(tmp_path / "约束指标.xlsx")
    code, out, err = kaohe(capsys, "constraints", "ordos", "--input", str(tmp_path / "约束指标.xlsx"), "--json")
    assert (code, err) == (0, "") and json.loads(out)["results"][0]["deduction"] == "3"
    code, out, err = kaohe(capsys, "constraints", "ordos", "--input", str(sheet))
    assert (code, err) == (0, "") and "说明：约束指标（第六条（六）" in out and "FGW" in out


def test_bad_sheets_name_file_row_and_field(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sheet = tmp_path / "坏.csv"
    sheet.write_text(HEADER + "DS,东胜区委区政府,旗区,1.5,-1,x\nFGW,市发改委,市直部门,1,,\nDS,东胜区委区政府,旗区,,,\n,无代码,旗区,,,\n",
                     encoding="utf-8")
    code, _, err = kaohe(capsys, "constraints", "ordos", "--input", str(sheet))
    assert code == 3 and "Traceback" not in err
    for expected in ("第2行，字段 党风廉政建设责任制落实情况：查实问题数 1.5 应为非负整数",
                     "第2行，字段 资金使用违规违纪情况：查实问题数 -1 应为非负整数",
                     "第2行，字段 扶贫领域作风建设情况：查实问题数 'x' 应为非负整数（或 是/否）",
                     "第3行，字段 类别：类别“市直部门”不考核约束指标", "第5行，字段 单位代码：单位代码为空"):
        assert f"{sheet}，{expected}" in err, expected
    missing = tmp_path / "缺列.csv"
    missing.write_text("单位代码,单位名称,类别,扣分\nDS,东胜,旗区,1\n", encoding="utf-8")
    code, _, err = kaohe(capsys, "constraints", "ordos", "--input", str(missing))
    assert code == 3 and "未知的列“扣分”（第4列）" in err and "缺少列“资金使用违规违纪情况”" in err
    code, _, err = kaohe(capsys, "constraints", "mile", "--input", str(missing))
    assert code == 5 and "方案 mile 没有约束指标" in err


def test_schemes_show_states_the_constraint_rule_and_the_forms(capsys, kaohe_env) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = kaohe(capsys, "schemes", "show", "ordos")
    assert code == 0 and "约束指标：约束指标（第六条（六）" in out and "每查实一个问题扣1分" in out
    code, out, _ = kaohe(capsys, "schemes", "show", "inner-mongolia-teams")
    assert code == 0 and "表单：民意调查表（附件4（未随来源公布）、四（三）5）→ 计分分项 opinion_survey" in out
