"""统一社会信用代码 (unified social credit code) check digit, GB 32100-2015."""

from __future__ import annotations

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a credit code may use (no I, O, Z, S, V); a character's value is its index."""

_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character of the credit code that starts with ``first17`` (upper case, valid alphabet)."""
    if len(first17) != 17:
        raise ValueError("需要前17位")
    total = sum(CREDIT_CODE_ALPHABET.index(char) * weight for char, weight in zip(first17, _WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why ``code`` (already upper-cased) is not a valid credit code, in Chinese; ``None`` if it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位：“{code}”"
    bad = sorted({char for char in code if char not in CREDIT_CODE_ALPHABET})
    if bad:
        return f"统一社会信用代码含非法字符 {'、'.join(bad)}（只可用数字和除 I、O、Z、S、V 外的大写字母）：“{code}”"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：“{code}”，按 GB 32100-2015 末位应为 {expected}"
    return None
