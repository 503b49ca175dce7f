"""Unit codes and the file names derived from them (pure).

A unit code is 1 to 64 characters from a safe alphabet: ASCII letters, digits, ``-``, ``_`` and ``.``,
starting with a letter or a digit (``ML-A01``, ``0101``, ``ML_A``). Codes of one roster may not differ only
in letter case, so no two units share a directory on a case-insensitive file system. Anything else (a
slash, ``../``, a newline, an ANSI escape, a 300-character code) is refused at roster import with the row.

Names on disk are derived so that two different codes (or cycle and stage keys) can never map to one path:
a key from the safe alphabet is used as it is; any other key (from data older than this check) becomes
its safe characters, a ``~`` (outside the alphabet, so no safe key looks like it) and 16 hex digits of its
SHA-256. A letter's file name is the unit's part, a space (never part of a code) and its name.
"""

from __future__ import annotations

import hashlib
import re

CODE_MAX_LENGTH = 64
SAFE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NAME_MAX_CHARS = 60
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def code_problem(code: str) -> str | None:
    """Why ``code`` cannot be a unit code, or ``None`` when it can."""
    if not code:
        return "编码为空"
    if len(code) > CODE_MAX_LENGTH:
        return f"编码过长：{len(code)} 个字符，最多 {CODE_MAX_LENGTH} 个"
    if not SAFE_CODE.fullmatch(code):
        shown = code.encode("unicode_escape").decode("ascii")
        return (f"编码“{shown[:80]}”含不允许的字符：编码只能由英文字母、数字、“-”“_”“.”组成，"
                "且以字母或数字开头")
    return None


def key_part(key: str) -> str:
    """One path component for a code or key; distinct keys always give distinct components."""
    if len(key) <= CODE_MAX_LENGTH and SAFE_CODE.fullmatch(key):
        return key
    kept = re.sub(r"[^A-Za-z0-9._-]", "_", key)[:32].lstrip("._") or "_"
    return f"{kept}~{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def name_part(name: str) -> str:
    """A unit's name usable inside a file name (Windows and Unix), at most ``NAME_MAX_CHARS`` characters."""
    cleaned = _UNSAFE_NAME.sub("_", name)[:NAME_MAX_CHARS].strip(" .")
    return cleaned or "_"


def letter_stem(code: str, name: str) -> str:
    """The file name (without extension) of a unit's feedback letter: ``<code> <name>``, unique per code."""
    return f"{key_part(code)} {name_part(name)}"
