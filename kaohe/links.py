"""Signed, expiring links to a unit's task page, put in reminders and calendar feeds.

A link is ``<public base URL>/t/<token>``. The token is ``<payload>.<signature>``: the payload is
the cycle, unit, optional stage and expiry as compact JSON in base64url, the signature an
HMAC-SHA256 of the payload under the site's secret key (``KAOHE_SECRET_KEY``). A link proves only
which task it points at; the page it leads to still asks who is logging in.

Pure: no settings, no clock, no I/O. The caller passes the secret and ``now``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass

from kaohe.errors import LinkError

LINK_PATH = "/t/"
_CONTEXT = b"kaohe-task-link-v1\x00"


@dataclass(frozen=True)
class TaskLink:
    """What a verified link points at: a unit's obligation in a cycle (a stage, or all its stages)."""

    cycle: str
    unit: str
    stage: str | None
    expires: dt.datetime


def sign_task_link(base_url: str, secret: str, *, cycle: str, unit: str, stage: str | None, expires: dt.datetime) -> str:
    """The full URL of a task link valid until ``expires`` (aware datetime, second precision)."""
    if not secret:
        raise ValueError("a task link needs a non-empty secret")
    payload = {"c": cycle, "u": unit, "s": stage, "e": _epoch(expires)}
    body = _b64encode(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{base_url.rstrip('/')}{LINK_PATH}{body}.{_signature(secret, body)}"


def verify_task_link(secret: str, token: str, now: dt.datetime) -> TaskLink:
    """The task a token (or a whole link) points at; ``LinkError`` if it is malformed, forged or expired."""
    if not secret:
        raise ValueError("a task link needs a non-empty secret")
    if LINK_PATH in token:
        token = token.rsplit(LINK_PATH, 1)[1]
    body, dot, signature = token.partition(".")
    if not dot or not body or not signature or not token.isascii():
        raise LinkError("链接格式不正确")
    if not hmac.compare_digest(signature.encode("ascii"), _signature(secret, body).encode("ascii")):
        raise LinkError("链接无效（签名不符）")
    try:
        payload = json.loads(_b64decode(body).decode("utf-8"))
        link = TaskLink(cycle=payload["c"], unit=payload["u"], stage=payload["s"],
                        expires=dt.datetime.fromtimestamp(payload["e"], dt.timezone.utc))
    except (ValueError, KeyError, TypeError, binascii.Error, OverflowError, OSError) as error:
        raise LinkError("链接内容无法识别") from error
    if _epoch(now) >= payload["e"]:
        raise LinkError(f"链接已于 {link.expires.astimezone(_BEIJING):%Y-%m-%d %H:%M} 过期，请登录后查看任务", expired=True)
    return link


_BEIJING = dt.timezone(dt.timedelta(hours=8))
_FEED_CONTEXT = b"kaohe-calendar-feed-v1\x00"


def calendar_feed_token(secret: str, unit: str, generation: int) -> str:
    """The secret token in a unit's calendar subscription address: HMAC-SHA256 of the unit code and the address's
    generation under the site secret (nothing secret is stored; counting the generation up retires the old address)."""
    if not secret:
        raise ValueError("a calendar feed token needs a non-empty secret")
    message = _FEED_CONTEXT + f"{unit}\x00{generation}".encode()
    return _b64encode(hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest())


def calendar_feed_token_matches(secret: str, unit: str, generation: int, token: str) -> bool:
    """Whether ``token`` is the unit's current subscription token (compared in constant time)."""
    return token.isascii() and hmac.compare_digest(token.encode("ascii"), calendar_feed_token(secret, unit, generation).encode("ascii"))


def _epoch(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: task links need aware datetimes")
    return int(moment.timestamp())


def _signature(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), _CONTEXT + body.encode("ascii"), hashlib.sha256).digest()
    return _b64encode(digest)


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
