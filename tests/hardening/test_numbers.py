"""Group 4 of issue #11: numbers too long, too large or too small are refused before any arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest
from hardening_support import kaohe, kaohe_process, one_line_error

from kaohe.evidence.orders import parse_scores

SHEET_HEADER = "单位代码,单位名称,分组,分组类型,基础分,资金投入加分,存在问题,改进建议"
UNIT = "ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"


@pytest.mark.parametrize("value", ["1E-999999999", "1e999999999", "0E-999999999", "1" * 200])
def test_score_refuses_a_number_it_cannot_compute_with(kaohe_env: Path, tmp_path: Path, value: str) -> None:
    sheet = tmp_path / "评分表.csv"
    sheet.write_text(f"{SHEET_HEADER}\nML-A01,某局,弥阳镇,非贫困乡镇,{value},1,,\n", encoding="utf-8")
    code, _, err = kaohe_process("score", "mile", "--input", str(sheet))
    line = one_line_error(code, err, exit_code=3)
    assert "第2行" in line and "基础分" in line and "KAOHE_MAX_DECIMAL" in line and len(line) < 300


def test_a_verification_with_a_tiny_number_is_refused_and_stores_nothing(capsys, kaohe_env: Path, tmp_path: Path, mile_cycle) -> None:  # type: ignore[no-untyped-def]
    key = mile_cycle([UNIT])
    before = (kaohe_env / "kaohe.db").stat().st_size
    sheet = tmp_path / "核查.csv"
    sheet.write_text("指标,核查分\n基础分,1E-99999999\n资金投入加分,12\n", encoding="utf-8")
    code, _, err = kaohe(capsys, "verify", key, "--unit", "ML-A01", "--scores", str(sheet), "--by", "ML-V01")
    line = one_line_error(code, err, exit_code=3)
    assert "第2行" in line and "KAOHE_MAX_DECIMAL_EXPONENT" in line
    assert (kaohe_env / "kaohe.db").stat().st_size < before + 1_000_000


@pytest.mark.parametrize("pair", ["整改落实=1e999999999", "整改落实=1e-999999999", "整改落实=" + "9" * 100])
def test_an_order_score_out_of_range_is_a_clear_reason(pair: str) -> None:
    with pytest.raises(ValueError, match="KAOHE_MAX_DECIMAL"):
        parse_scores([pair])


def test_ordinary_scores_still_read() -> None:
    assert {k: str(v) for k, v in parse_scores(["整改落实=18.5", "资料=0.25"]).items()} == {"整改落实": "18.5", "资料": "0.25"}
