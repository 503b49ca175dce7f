"""Group 5 of issue #11: scheme files with absurd offsets, impossible dates, bad sampling rules, or that are not
files at all, give one line each; one bad file in KAOHE_SCHEMES_DIR does not break ``kaohe schemes``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hardening_support import kaohe_process, one_line_error

from kaohe.settings import PROJECT_ROOT, get_settings

MILE = (PROJECT_ROOT / "schemes" / "mile.yaml").read_text(encoding="utf-8")
EDITS = {
    "shift": ("stage.city_evaluation.due + 1 days", "stage.city_evaluation.due + 999999999999 days", "偏移"),
    "before": ("before: [5, 2]", "before: [99999999]", "工作日"),
    "issued": ("issued: 2017-01-20", "issued: 2017-02-30", "第6行：YAML 语法错误：日期 2017-02-30 不存在"),
    "proportion": ('proportion: "0.2"', 'proportion: "abc"', "proportion"),
    "rule": ("rule: proportion_stratified", "rule: lottery_by_mood", "rule"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_bad_scheme_file_is_one_clear_line(capsys, kaohe_env: Path, tmp_path: Path, edit: str) -> None:  # type: ignore[no-untyped-def]
    old, new, word = EDITS[edit]
    assert old in MILE
    county = tmp_path / "county.yaml"
    county.write_text(MILE.replace(old, new, 1), encoding="utf-8")
    code, _, err = kaohe_process("schemes", "validate", str(county), timeout=60)
    line = one_line_error(code, err, exit_code=3)
    assert str(county) in line and word in line


def test_one_bad_file_in_the_schemes_dir_leaves_the_others_listed(capsys, kaohe_env: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "schemes"
    shutil.copytree(PROJECT_ROOT / "schemes", directory)
    (directory / "broken.yaml").write_text(MILE.replace("issued: 2017-01-20", "issued: 2017-02-30"), encoding="utf-8")
    (directory / "folder.yaml").mkdir()
    os.symlink("/dev/zero", directory / "zero.yaml")
    monkeypatch.setenv("KAOHE_SCHEMES_DIR", str(directory))
    get_settings.cache_clear()
    code, out, err = kaohe_process("schemes", "--json", timeout=60)
    assert code == 0, err
    listed = [s["id"] for s in json.loads(out)]
    assert "mile" in listed and "sichuan" in listed
    warnings = err.strip().splitlines()
    assert len(warnings) == 3 and all(line.startswith("警告：") for line in warnings) and "Traceback" not in err
    assert any("broken.yaml" in w for w in warnings) and any("目录" in w for w in warnings) and any("字符设备" in w for w in warnings)
