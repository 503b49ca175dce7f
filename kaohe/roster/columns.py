"""Roster column headers and the words accepted in coded columns, Chinese and English."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kaohe.roster.entry import RankingSequence, Role

FIELD_LABELS: dict[str, str] = {
    "code": "编码",
    "name": "名称",
    "kind": "类别",
    "role": "角色",
    "township": "乡镇",
    "region": "片区",
    "city": "市州",
    "county": "县",
    "poor_township": "贫困乡镇",
    "sequence": "序列",
    "supervisor": "上级",
    "email": "邮箱",
    "phone": "手机",
    "wecom": "企业微信",
    "dingtalk": "钉钉",
    "feishu": "飞书",
    "webhook": "回调",
    "credit_code": "统一社会信用代码",
}
"""Every known field and its canonical Chinese header."""

REQUIRED_FIELDS: tuple[str, ...] = ("code", "name")

_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("编码", "单位编码", "code"),
    "name": ("名称", "单位名称", "name"),
    "kind": ("类别", "单位类别", "kind"),
    "role": ("角色", "role"),
    "township": ("乡镇", "挂联乡镇", "township"),
    "region": ("片区", "region"),
    "city": ("市州", "市(州)", "city"),
    "county": ("县", "旗县", "county"),
    "poor_township": ("贫困乡镇", "是否贫困乡镇", "poor_township"),
    "sequence": ("序列", "sequence"),
    "supervisor": ("上级", "上级编码", "supervisor"),
    "email": ("邮箱", "电子邮箱", "email", "e-mail"),
    "phone": ("手机", "手机号", "电话", "联系电话", "phone", "mobile"),
    "wecom": ("企业微信", "wecom"),
    "dingtalk": ("钉钉", "dingtalk"),
    "feishu": ("飞书", "feishu"),
    "webhook": ("回调", "回调地址", "webhook"),
    "credit_code": ("统一社会信用代码", "信用代码", "credit_code"),
}


def header_key(text: str) -> str:
    """The form a header is matched by: NFKC, no spaces, underscores, hyphens or ``*``, case-folded."""
    return re.sub(r"[\s_\-*]", "", unicodedata.normalize("NFKC", text)).casefold()


HEADER_FIELDS: dict[str, str] = {
    header_key(alias): name for name, aliases in _HEADER_ALIASES.items() for alias in aliases
}
"""Matching key of every accepted header -> field name."""


@lru_cache(maxsize=4096)
def word_key(text: str) -> str:
    """The form a coded value (role, sequence, yes/no) is matched by."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text)).casefold()


ROLE_WORDS: dict[str, Role] = {
    **{word_key(role.value): role for role in Role},
    word_key("被考核单位"): Role.ASSESSED,
    word_key("被考核"): Role.ASSESSED,
    word_key("核查单位"): Role.VERIFIER,
    word_key("牵头考核单位"): Role.LEAD_ASSESSOR,
    word_key("牵头负责考核单位"): Role.LEAD_ASSESSOR,
    word_key("协调办公室"): Role.COORDINATOR,
    word_key("第三方"): Role.THIRD_PARTY,
    word_key("组织部"): Role.ORGANIZATION_DEPT,
    word_key("抽查对象"): Role.SAMPLED,
    word_key("第三方评估机构"): Role.THIRD_PARTY,
}

SEQUENCE_WORDS: dict[str, RankingSequence] = {
    **{word_key(seq.value): seq for seq in RankingSequence},
    "工作总队": RankingSequence.TEAM,
    "总队": RankingSequence.TEAM,
    "队长": RankingSequence.LEADER,
    "副队长": RankingSequence.DEPUTY,
    "联络员": RankingSequence.LIAISON,
    "成员": RankingSequence.MEMBER,
    "队员": RankingSequence.MEMBER,
}

BOOLEAN_WORDS: dict[str, bool] = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
}
