"""Group 12 of issue #11: an office's roster workbook as it really is — a merged title row above the header,
full robot webhook URLs in the robot columns — and a warning for a stage no unit can act on."""

from __future__ import annotations

import json
from pathlib import Path

from hardening_support import MILE_HEADER, OFFICE_ROWS, kaohe, make_roster, one_line_error
from openpyxl import Workbook

from kaohe.roster import read_roster


def _office_workbook(path: Path, rows: list[list[str]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    header = ["编码", "名称", "角色", "上级", "企业微信", "钉钉", "飞书"]
    sheet.append(["弥勒市2018年度挂包帮定点扶贫考核单位名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.append(["填报单位：市联席办", "", "", "", "", "", "2018年11月"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_a_merged_title_row_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = _office_workbook(tmp_path / "名册.xlsx", [["ML-C01", "市联席办", "协调办公室", "", "", "", ""],
                                                      ["ML-A01", "某局", "被考核单位", "ML-C01", "", "", ""]])
    units = read_roster(path)
    assert [(u.code, u.name) for u in units] == [("ML-C01", "市联席办"), ("ML-A01", "某局")]


def test_full_webhook_urls_become_their_key_or_token(tmp_path: Path) -> None:
    path = _office_workbook(tmp_path / "名册.xlsx", [[
        "ML-A01", "某局", "被考核单位", "",
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        "https://oapi.dingtalk.com/robot/send?access_token=abc123def",
        "https://open.feishu.cn/open-apis/bot/v2/hook/2f1c9b7e-0000-4a5b",
    ]])
    [unit] = read_roster(path)
    assert unit.contacts == {"wecom": "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", "dingtalk": "abc123def", "feishu": "2f1c9b7e-0000-4a5b"}


def test_a_webhook_url_without_a_token_is_one_line_for_its_row(capsys, kaohe_env: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _office_workbook(tmp_path / "名册.xlsx", [["ML-A01", "某局", "被考核单位", "", "", "https://oapi.dingtalk.com/robot/send", ""]])
    code, _, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(path))
    line = one_line_error(code, err, exit_code=3)
    assert "第4行" in line and "钉钉" in line and "access_token" in line


def test_a_stage_whose_role_no_unit_has_is_warned_about(capsys, kaohe_env: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join([MILE_HEADER, OFFICE_ROWS[0], "ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"]) + "\n",
                      encoding="utf-8")
    code, out, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster), "--json")
    assert code == 0
    warnings = json.loads(out)["warnings"]
    roles = {role for w in warnings for role in ("verifier", "lead_assessor", "organization_dept") if f"角色为 {role} 的" in w}
    assert roles == {"verifier", "lead_assessor", "organization_dept"} and not any("assessed 的" in w for w in warnings)
    assert err.count("\n") == len(warnings) and all(line.startswith("警告：") for line in err.splitlines())


def test_a_full_roster_gives_no_warning(capsys, kaohe_env: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    roster = make_roster(tmp_path / "roster.csv", ["ML-A01,某局,市级部门,被考核单位,弥阳镇,否,ML-C01,a@example.org"])
    code, out, err = kaohe(capsys, "cycle", "create", "mile", "--year", "2018", "--roster", str(roster), "--json")
    assert code == 0 and json.loads(out)["warnings"] == [] and err == ""
