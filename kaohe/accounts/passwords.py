"""Password hashing (argon2id through pwdlib) and the password policy (等保 level 2: length, mixed
character classes, not the login name)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from pwdlib import PasswordHash

MIN_LENGTH = 10
MIN_CLASSES = 3


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()  # argon2id, 64 MiB, t=3, p=4


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (salted; encodes its own parameters)."""
    return _hasher().hash(password)


def verify_password(password: str, hashed: str | None) -> bool:
    """Whether ``password`` matches ``hashed``. Without a hash it still spends the time of one check,
    so a missing account cannot be told apart by the answer's speed."""
    if hashed is None:
        _hasher().hash(password)
        return False
    return _hasher().verify(password, hashed)


def policy_problems(password: str, *, login: str) -> list[str]:
    """What is wrong with a new password, in Chinese; empty when it meets the policy."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 位")
    classes = sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < MIN_CLASSES:
        problems.append(f"密码须包含小写字母、大写字母、数字、符号中的至少 {MIN_CLASSES} 类")
    if login and login.lower() in password.lower():
        problems.append("密码不能包含登录名")
    if password and len(set(password)) <= 2:
        problems.append("密码不能由重复字符组成")
    return problems


def password_expired(changed_at: dt.datetime | None, now: dt.datetime, max_days: int) -> bool:
    """Whether a password set at ``changed_at`` must be changed at ``now`` (等保: periodic change). ``max_days`` 0
    turns expiry off; a password without a recorded date (set before dates were kept) is not expired."""
    if max_days <= 0 or changed_at is None:
        return False
    return now - changed_at > dt.timedelta(days=max_days)
