"""Syntax of contact addresses: email, phone, robot key, webhook URL; each returns (clean value, problem)."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from kaohe.roster.text import fold_width

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_MOBILE = re.compile(r"(?:\+?86[- ]?)?(1\d{2})[- ]?(\d{4})[- ]?(\d{4})")
_LANDLINE = re.compile(r"(0\d{2,3})[- ](\d{7,8})(?:-(\d{1,6}))?")

Checked = tuple[str, str | None]


def check_email(raw: str) -> Checked:
    """An email address: ASCII local part and domain with a top-level label of letters."""
    value = fold_width(raw)
    if _EMAIL.fullmatch(value) and len(value) <= 254:
        return value, None
    return value, f"邮箱格式不正确：“{value}”"


def check_phone(raw: str) -> Checked:
    """A mobile number (11 digits starting with 1, kept as 11 digits) or a landline like 0873-1234567."""
    value = fold_width(raw)
    mobile = _MOBILE.fullmatch(value)
    if mobile:
        return "".join(mobile.groups()), None
    landline = _LANDLINE.fullmatch(value)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else ""), None
    return value, f"电话号码不正确：“{value}”，应为以1开头的11位手机号，或带区号的固定电话（如 0873-1234567）"


def check_robot_key(raw: str) -> Checked:
    """A robot key or token (企业微信 key, 钉钉 access_token, 飞书 hook token): any text without whitespace."""
    value = fold_width(raw)
    if re.search(r"\s", value):
        return value, f"机器人 key/token 不能含空白字符：“{value}”"
    return value, None


_ROBOT_URL_PARTS = {
    "wecom": ("企业微信机器人", "key", None),
    "dingtalk": ("钉钉机器人", "access_token", None),
    "feishu": ("飞书机器人", None, "/open-apis/bot/v2/hook/"),
}


def robot_key_checker(channel: str) -> Callable[[str], Checked]:
    """The check of a robot column: a bare key/token, or the full webhook URL the robot's settings page shows
    (WeCom ``…/cgi-bin/webhook/send?key=K``, DingTalk ``…/robot/send?access_token=T``, Feishu
    ``…/open-apis/bot/v2/hook/T``), from which the key or token is taken."""
    label, parameter, path_prefix = _ROBOT_URL_PARTS[channel]

    def check(raw: str) -> Checked:
        value = fold_width(raw)
        if not re.match(r"(?i)https?://", value):
            return check_robot_key(value)
        try:
            parts = urlsplit(value)
        except ValueError:
            return value, f"{label}地址无法解析：“{value}”"
        token = ""
        if parameter is not None:
            found = parse_qs(parts.query).get(parameter, [])
            token = found[0].strip() if len(found) == 1 else ""
        elif path_prefix is not None and parts.path.startswith(path_prefix):
            token = unquote(parts.path[len(path_prefix):]).strip("/")
        if not token or "/" in token:
            where = f"参数 {parameter}=" if parameter else f"路径 {path_prefix}…"
            return value, f"{label}地址中找不到 key/token（应含{where}）：“{value}”，也可只填 key/token 本身"
        return check_robot_key(token)

    return check


def check_webhook(raw: str) -> Checked:
    """A full http(s) URL with a host."""
    value = fold_width(raw)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host or re.search(r"\s", value):
        return value, f"回调地址必须是完整的 http 或 https 网址：“{value}”"
    return value, None
