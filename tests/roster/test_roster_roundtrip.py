"""Property: any valid roster written to CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX reads back unchanged."""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from roster_files import csv_bytes, write_xlsx

from kaohe.roster import (
    RankingSequence,
    Role,
    RosterEntry,
    credit_code_check_char,
    read_roster,
)
from kaohe.roster.credit_code import CREDIT_CODE_ALPHABET

HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("编码", "code"),
    "name": ("名称", "name"),
    "kind": ("类别", "kind"),
    "role": ("角色", "role"),
    "township": ("乡镇", "township"),
    "region": ("片区", "region"),
    "city": ("市州", "city"),
    "county": ("县", "county"),
    "poor_township": ("贫困乡镇", "poor_township"),
    "sequence": ("序列", "sequence"),
    "supervisor": ("上级", "supervisor"),
    "email": ("邮箱", "email"),
    "phone": ("手机", "phone"),
    "wecom": ("企业微信", "wecom"),
    "dingtalk": ("钉钉", "dingtalk"),
    "feishu": ("飞书", "feishu"),
    "webhook": ("回调", "webhook"),
    "credit_code": ("统一社会信用代码", "credit_code"),
}
OPTIONAL = sorted(set(HEADERS) - {"code", "name"})
TEXT_FIELDS = ("kind", "township", "region", "city", "county")
CONTACTS = ("email", "phone", "wecom", "dingtalk", "feishu", "webhook")
ROLE_WORDS = {
    Role.ASSESSED: ("被考核单位", "assessed"),
    Role.VERIFIER: ("核查单位", "verifier"),
    Role.LEAD_ASSESSOR: ("牵头考核单位", "lead_assessor"),
    Role.COORDINATOR: ("协调办公室", "coordinator"),
    Role.THIRD_PARTY: ("第三方", "third_party"),
    Role.ORGANIZATION_DEPT: ("组织部", "organization_dept"),
    Role.SAMPLED: ("抽查对象", "sampled"),
}
SEQUENCE_WORDS = {
    RankingSequence.TEAM: ("工作总队", "team"),
    RankingSequence.LEADER: ("队长", "leader"),
    RankingSequence.DEPUTY: ("副队长", "deputy"),
    RankingSequence.LIAISON: ("联络员", "liaison"),
    RankingSequence.MEMBER: ("成员", "member"),
}
BOOLEAN_WORDS = {True: ("是", "yes", "TRUE", "1"), False: ("否", "no", "False", "0")}
ATTRIBUTE_KEYS = ("备注", "计划摘帽", "note", "挂包村")

cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
ascii_word = st.sampled_from(string.ascii_letters + string.digits)
tidy_text = st.text(st.one_of(cjk, ascii_word, st.sampled_from("（）·-")), min_size=1, max_size=12)
attribute_text = st.text(st.one_of(cjk, ascii_word, st.sampled_from(' ,"，。\n')), max_size=15)
CONTACT_VALUES = {
    "email": st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,5})?@[a-z]{1,8}\.(org|com|cn)", fullmatch=True),
    "phone": st.from_regex(r"1[0-9]{10}|0[0-9]{2,3}-[1-9][0-9]{6,7}", fullmatch=True),
    "wecom": st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True),
    "dingtalk": st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True),
    "feishu": st.from_regex(r"[A-Za-z0-9_-]{1,24}", fullmatch=True),
    "webhook": st.from_regex(r"https?://127\.0\.0\.1:[1-9][0-9]{3}/[a-z0-9/]{0,12}", fullmatch=True),
}
credit_codes = st.text(st.sampled_from(CREDIT_CODE_ALPHABET), min_size=17, max_size=17).map(
    lambda first17: first17 + credit_code_check_char(first17)
)


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[str], list[list[str]], list[RosterEntry]]:
    """A valid roster as (header, rows of text) and the entries it must read back as."""
    fields = ["code", "name", *draw(st.lists(st.sampled_from(OPTIONAL), unique=True))]
    fields = draw(st.permutations(fields))
    attribute_keys = draw(st.lists(st.sampled_from(ATTRIBUTE_KEYS), unique=True, max_size=2))
    header = [draw(st.sampled_from(HEADERS[field])) for field in fields] + attribute_keys
    codes = draw(st.lists(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,9}", fullmatch=True), min_size=1, max_size=8, unique_by=str.casefold))  # codes differing only in case are refused
    rows: list[list[str]] = []
    entries: list[RosterEntry] = []
    for index, code in enumerate(codes):
        cells: dict[str, str] = {"code": code}
        values: dict[str, Any] = {"code": code, "name": draw(tidy_text)}
        cells["name"] = values["name"]
        contacts: dict[str, str] = {}
        for field in fields:
            if field in ("code", "name"):
                continue
            if field in TEXT_FIELDS:
                text = draw(st.one_of(st.just(""), tidy_text))
                cells[field], values[field] = text, text or None
            elif field == "role":
                role = draw(st.sampled_from(list(Role)))
                cells[field], values[field] = draw(st.sampled_from(ROLE_WORDS[role])), role
            elif field == "poor_township":
                flag = draw(st.sampled_from([None, True, False]))
                cells[field] = "" if flag is None else draw(st.sampled_from(BOOLEAN_WORDS[flag]))
                values[field] = flag
            elif field == "sequence":
                sequence = draw(st.sampled_from([None, *RankingSequence]))
                cells[field] = "" if sequence is None else draw(st.sampled_from(SEQUENCE_WORDS[sequence]))
                values[field] = sequence
            elif field == "supervisor":
                supervisor = draw(st.one_of(st.none(), st.sampled_from(codes[:index]))) if index else None
                cells[field], values[field] = supervisor or "", supervisor
            elif field == "credit_code":
                credit = draw(st.one_of(st.none(), credit_codes))
                cells[field], values[field] = credit or "", credit
            else:
                address = draw(st.one_of(st.none(), CONTACT_VALUES[field]))
                cells[field] = address or ""
                if address:
                    contacts[field] = address
        attributes = {key: draw(attribute_text) for key in attribute_keys}
        rows.append([cells[field] for field in fields] + list(attributes.values()))
        entries.append(RosterEntry(**values, contacts=contacts, attributes={k: v.strip() for k, v in attributes.items()}))
    return header, rows, entries


def read_back(header: list[str], rows: list[list[str]], form: str) -> list[RosterEntry]:
    with tempfile.TemporaryDirectory() as directory:
        if form == "xlsx":
            path = write_xlsx(Path(directory) / "roster.xlsx", [header, *rows])
        else:
            data = csv_bytes([header, *rows], form)
            text = data.decode(form)
            try:
                assume(data.decode("utf-8-sig") == text)
            except UnicodeDecodeError:
                pass
            path = Path(directory) / "roster.csv"
            path.write_bytes(data)
        return read_roster(path)


@settings(max_examples=150, deadline=None)
@given(roster=rosters(), form=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "xlsx"]))
def test_valid_roster_round_trips(roster: tuple[list[str], list[list[str]], list[RosterEntry]], form: str) -> None:
    header, rows, entries = roster
    assert read_back(header, rows, form) == entries
