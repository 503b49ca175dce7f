"""Full-width and untidy input is cleaned into the form the rest of kaohe relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from roster_files import write_csv

from kaohe.roster import RankingSequence, Role, RosterEntry, read_roster


def read_one(tmp_path: Path, header: list[str], row: list[str]) -> RosterEntry:
    [entry] = read_roster(write_csv(tmp_path / "r.csv", [header, row]))
    return entry


def test_full_width_row_is_normalised(tmp_path: Path) -> None:
    header = ["编码", "名称", "角色", "贫困乡镇", "序列", "邮箱", "手机", "回调", "统一社会信用代码", "企业微信", "备注"]
    row = [
        "　ＭＬ－Ａ０１　",
        "\u3000弥勒市　某局（一） ",
        "　被考核单位",
        "ＹＥＳ",
        "ｔｅａｍ",
        "ＭＬ－Ａ０１＠ｅｘａｍｐｌｅ．ｏｒｇ",
        "１３８ ００１３ ８０００",
        "ｈｔｔｐ：／／１２７．０．０．１：８０８０／ｈｏｏｋ",
        "９１３５０１００ｍ０００１００ｙ４３",
        "ｍｉｌｅ－ｗｅｃｏｍ－０１",
        "　保留原样　",
    ]
    assert read_one(tmp_path, header, row) == RosterEntry(
        code="ML-A01",
        name="弥勒市某局（一）",
        role=Role.ASSESSED,
        poor_township=True,
        sequence=RankingSequence.TEAM,
        contacts={
            "email": "ML-A01@example.org",
            "phone": "13800138000",
            "webhook": "http://127.0.0.1:8080/hook",
            "wecom": "mile-wecom-01",
        },
        credit_code="91350100M000100Y43",
        attributes={"备注": "保留原样"},
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  弥勒市某局  ", "弥勒市某局"),
        ("\u3000弥阳镇\u3000\u3000扶贫工作站\u3000", "弥阳镇扶贫工作站"),
        ("弥勒 某局", "弥勒某局"),
        ("Mile   Example   Co.,  Ltd.", "Mile Example Co., Ltd."),
        ("弥勒 ABC 公司", "弥勒ABC公司"),
        ("ＡＢＣ公司", "ＡＢＣ公司"),
        ("\t某局\n", "某局"),
    ],
)
def test_names_lose_surrounding_and_padding_spaces_only(tmp_path: Path, raw: str, expected: str) -> None:
    assert read_one(tmp_path, ["编码", "名称", "乡镇"], ["A1", raw, raw]).name == expected
    assert read_one(tmp_path, ["编码", "名称", "乡镇"], ["A1", raw, raw]).township == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 13800138000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("０８７３－１２３４５６７", "0873-1234567"),
        ("0873 1234567", "0873-1234567"),
        ("010-12345678", "010-12345678"),
        ("0873-1234567-801", "0873-1234567-801"),
    ],
)
def test_phone_numbers_are_kept_in_one_form(tmp_path: Path, raw: str, expected: str) -> None:
    assert read_one(tmp_path, ["编码", "名称", "手机"], ["A1", "某局", raw]).contacts == {"phone": expected}


@pytest.mark.parametrize(
    ("raw", "role"),
    [
        ("", Role.ASSESSED),
        ("被考核单位", Role.ASSESSED),
        ("assessed", Role.ASSESSED),
        ("核查单位", Role.VERIFIER),
        ("Verifier", Role.VERIFIER),
        ("牵头考核单位", Role.LEAD_ASSESSOR),
        ("lead_assessor", Role.LEAD_ASSESSOR),
        ("协调办公室", Role.COORDINATOR),
        ("COORDINATOR", Role.COORDINATOR),
        ("第三方", Role.THIRD_PARTY),
        ("ｔｈｉｒｄ＿ｐａｒｔｙ", Role.THIRD_PARTY),
    ],
)
def test_roles_in_chinese_and_english(tmp_path: Path, raw: str, role: Role) -> None:
    assert read_one(tmp_path, ["编码", "名称", "角色"], ["A1", "某局", raw]).role is role


@pytest.mark.parametrize(
    ("raw", "sequence"),
    [
        ("", None),
        ("工作总队", RankingSequence.TEAM),
        ("队长", RankingSequence.LEADER),
        ("副队长", RankingSequence.DEPUTY),
        ("联络员", RankingSequence.LIAISON),
        ("成员", RankingSequence.MEMBER),
        ("队员", RankingSequence.MEMBER),
        ("Leader", RankingSequence.LEADER),
        ("deputy", RankingSequence.DEPUTY),
        ("liaison", RankingSequence.LIAISON),
        ("member", RankingSequence.MEMBER),
    ],
)
def test_ranking_sequences_in_chinese_and_english(tmp_path: Path, raw: str, sequence: RankingSequence | None) -> None:
    assert read_one(tmp_path, ["编码", "名称", "序列"], ["A1", "某人", raw]).sequence == sequence


@pytest.mark.parametrize(
    ("raw", "value"),
    [("是", True), ("否", False), ("yes", True), ("NO", False), ("True", True), ("false", False), ("1", True), ("0", False), ("", None), ("１", True)],
)
def test_poor_township_booleans(tmp_path: Path, raw: str, value: bool | None) -> None:
    assert read_one(tmp_path, ["编码", "名称", "贫困乡镇"], ["A1", "某局", raw]).poor_township is value


def test_empty_optional_text_is_none_and_absent_contacts_are_left_out(tmp_path: Path) -> None:
    header = ["编码", "名称", "类别", "乡镇", "片区", "市州", "县", "上级", "邮箱", "钉钉", "统一社会信用代码"]
    entry = read_one(tmp_path, header, ["A1", "某局", " ", "", "", "", "", "", "", "", ""])
    assert entry == RosterEntry(code="A1", name="某局")


def test_entries_are_hashable_and_frozen(tmp_path: Path) -> None:
    entry = read_one(tmp_path, ["编码", "名称", "邮箱"], ["A1", "某局", "a@example.org"])
    assert entry in {entry}
    with pytest.raises(AttributeError):
        entry.code = "B1"  # type: ignore[misc]
