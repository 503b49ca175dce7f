"""Who a message goes to and over what: the office that signs it, a unit's channels in order, the
person to @-mention, and the SMS template parameters. Pure functions over a roster row's plain data.

A roster row may name its channels in order in a column ``渠道顺序`` (or ``channels``), e.g.
``钉钉,短信``: the message then goes over the first channel the row has an address for, and when that
channel fails permanently, over the next (see :func:`fallback_channel`). Without the column every
channel the row has an address for is used at once, and SMS (to a mobile in 手机) is the fallback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

CONTACT_CHANNELS: tuple[str, ...] = ("email", "wecom", "dingtalk", "feishu", "webhook")
ORDER_ATTRIBUTES = ("渠道顺序", "channels", "渠道")
CHANNEL_WORDS: dict[str, str] = {
    "邮件": "email", "邮箱": "email", "电子邮件": "email", "email": "email", "e-mail": "email",
    "企业微信": "wecom", "企微": "wecom", "wecom": "wecom",
    "钉钉": "dingtalk", "dingtalk": "dingtalk",
    "飞书": "feishu", "feishu": "feishu",
    "回调": "webhook", "webhook": "webhook",
    "短信": "sms", "sms": "sms",
}
BEIJING = ZoneInfo("Asia/Shanghai")
_MOBILE = re.compile(r"1\d{10}")


@dataclass(frozen=True)
class Office:
    """The office that signs messages: its name and how to reach it."""

    name: str | None
    phone: str | None = None
    email: str | None = None

    @property
    def contact(self) -> str | None:
        """"电话 0873-…，邮箱 …" or None."""
        parts = [f"电话 {self.phone}" if self.phone else "", f"邮箱 {self.email}" if self.email else ""]
        return "，".join(p for p in parts if p) or None


def mobile_of(contacts: Mapping[str, Any]) -> str | None:
    """The row's mobile number (11 digits from 手机), or None for a landline or nothing."""
    phone = str(contacts.get("phone") or "")
    return phone if _MOBILE.fullmatch(phone) else None


def address_for(channel: str, contacts: Mapping[str, Any]) -> str | None:
    """Where ``channel`` reaches this row: its address, its robot key, or for SMS its mobile."""
    if channel == "sms":
        return mobile_of(contacts)
    value = contacts.get(channel)
    return str(value) if value else None


def channel_order(contacts: Mapping[str, Any], attributes: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The channels the row names in order (``渠道顺序``), or None when it names none.

    Unknown words are ignored here; the roster check reports them.
    """
    for name in ORDER_ATTRIBUTES:
        text = attributes.get(name)
        if text:
            words = [w.strip().casefold() for w in re.split(r"[,，、;；/\s]+", str(text)) if w.strip()]
            order = tuple(dict.fromkeys(CHANNEL_WORDS[w] for w in words if w in CHANNEL_WORDS))
            return order or None
    return None


def primary_channels(contacts: Mapping[str, Any], attributes: Mapping[str, Any]) -> tuple[str, ...]:
    """The channels a message goes over at first: the first reachable one of the row's order, else every
    channel the row has an address for (SMS only when the order names it)."""
    order = channel_order(contacts, attributes)
    if order is None:
        return tuple(c for c in CONTACT_CHANNELS if address_for(c, contacts))
    return next(((c,) for c in order if address_for(c, contacts)), ())


def fallback_channel(failed: str, contacts: Mapping[str, Any], attributes: Mapping[str, Any],
                     used: Sequence[str]) -> str | None:
    """The channel to try after ``failed`` failed for good: the next reachable one in the row's order
    (without an order: SMS to the row's mobile) that has not carried the message yet."""
    order = channel_order(contacts, attributes) or (*CONTACT_CHANNELS, "sms")
    after = order[order.index(failed) + 1:] if failed in order else order
    return next((c for c in after if c not in used and address_for(c, contacts)), None)


def office_of(units: Sequence[Any], fallback_name: str | None) -> Office:
    """The office from the roster's coordinator row (role ``coordinator``), else the scheme's name for it."""
    coordinator = next((u for u in units if getattr(u, "role", None) == "coordinator"), None)
    if coordinator is None:
        return Office(fallback_name)
    contacts = coordinator.contacts or {}
    return Office(coordinator.name or fallback_name, contacts.get("phone") or None, contacts.get("email") or None)


def sms_parameters(kind: str, context: Mapping[str, Any]) -> dict[str, str]:
    """The parameters an approved SMS template for ``kind`` is filled with (short plain values, no free text).

    Every template gets ``unit``, ``stage`` and ``due`` (e.g. 1月23日); escalations add ``count``
    (overdue items), overdue notices ``days``, results ``grade``.
    """
    due = context.get("due")
    if isinstance(due, dt.datetime):
        due = (due.astimezone(BEIJING) - dt.timedelta(seconds=1)).date()
    due_text = f"{due.month}月{due.day}日" if isinstance(due, dt.date) else str(due or "")
    params = {"unit": _short(context.get("unit")), "stage": _short(context.get("stage")), "due": due_text}
    if kind == "escalation":
        params["days"] = str(context.get("days_overdue", ""))
    if kind == "overdue":
        params["days"] = str(context.get("days_overdue", ""))
    if kind == "results":
        params["grade"] = _short(context.get("grade"))
    return params


def _short(value: object, limit: int = 20) -> str:
    """SMS template variables are limited in length (Aliyun: 35 characters for most); cut long names."""
    text = str(value or "")
    return text if len(text) <= limit else text[:limit - 1] + "…"
