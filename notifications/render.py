"""Render a message kind's Chinese template into a subject and a body.

Each kind has ``templates/<kind>.txt.j2``. The template's first rendered line is the subject,
everything after it (leading blank lines dropped) is the body.

Context every kind needs: ``unit`` (被考核单位), ``stage`` (阶段名称), ``due`` (截止日, a ``date``, an
aware ``datetime`` or an ISO string; a date means "by the end of that day, Beijing time"), ``clause``
(依据条款, e.g. "第五条（一）"), ``scheme`` (办法名称), ``cycle`` (年度: an int such as 2018 or a
string), ``deliverables`` (报送材料: a string or a list of strings).
Optional everywhere: ``office`` (落款), ``contact`` (the office's phone and e-mail), ``link`` (办理入口: the
task page, usually the marker the dispatcher replaces by a signed URL), ``note`` (附言), ``provisional`` (True when the due date was
computed without the official working-day table; the text then says it is provisional).
Per kind: upcoming ``days_left``; overdue ``days_overdue``; escalation ``supervisor``, ``days_overdue``;
deadline_changed ``old_due``, optional ``reason``; results ``grade``, optional ``score``, optional
``selections`` (list of 先进 and other selections, e.g. "评为先进单位");
rectification ``problems`` (list); sample_drawn ``sample`` (list); supervision_order ``order_no``, ``issue``;
stage_opened optional ``opens``. The cascade kinds (kaohe.cascade.notices) need ``unit``, ``scheme``,
``cycle``, ``origin``, ``changes`` (list of ``stage``, ``old_due``, ``new_due``, ``provisional``, ``owed``),
optional ``reason``; change_ack and change_ack_reminder also ``cycle_key``, ``change_id``, ``told`` / ``created``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from kaohe.errors import KaoheError

BEIJING = ZoneInfo("Asia/Shanghai")
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
KINDS: tuple[str, ...] = (
    "stage_opened",
    "upcoming",
    "due_today",
    "overdue",
    "escalation",
    "deadline_changed",
    "results",
    "rectification",
    "sample_drawn",
    "supervision_order",
)
CASCADE_KINDS: tuple[str, ...] = ("dates_changed", "change_ack", "change_ack_reminder")
"""Kinds about several stages at once (kaohe.cascade): they list ``changes`` instead of one stage and due."""
FEEDBACK_KINDS: tuple[str, ...] = ("special_feedback",)
"""Kinds that tell a unit how it was scored and ask for nothing (鄂尔多斯 第十条 即时反馈): ``unit``, ``stage``,
``clause``, ``scheme``, ``cycle``, ``score``, ``problems`` and ``advice`` (lists, may be empty) and ``corrected``
(the day of the feedback this one corrects, or None)."""
_OPTIONAL: dict[str, Any] = {"office": None, "note": None, "provisional": False, "reason": None, "score": None, "opens": None,
                              "link": None, "contact": None, "selections": None, "attached": None}
_WEEKDAYS = "一二三四五六日"


class RenderError(KaoheError):
    """A notification could not be rendered: unknown kind, missing or malformed variable."""


def _require(value: object) -> None:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()


def _as_date_or_datetime(value: object) -> date | datetime:
    _require(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            raise RenderError(f"无法识别的日期：{value!r}（应为 2019-01-23 或带时区的 ISO 时间）") from None
    if isinstance(value, date):
        return value
    raise RenderError(f"无法识别的日期：{value!r}（应为日期或带时区的时间）")


def _beijing(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise RenderError(f"时间 {value.isoformat()} 缺少时区，无法换算为北京时间")
    return value.astimezone(BEIJING)


def format_day(value: date | datetime | str) -> str:
    """A calendar day in Chinese with its weekday, e.g. "2019年1月23日（星期三）"; times are taken in Beijing time."""
    parsed = _as_date_or_datetime(value)
    day = _beijing(parsed).date() if isinstance(parsed, datetime) else parsed
    return f"{day.year}年{day.month}月{day.day}日（星期{_WEEKDAYS[day.weekday()]}）"


def format_due(value: date | datetime | str) -> str:
    """A deadline in Chinese, e.g. "2019年1月23日（星期三）24时前".

    A date means the end of that day. A datetime is shown in Beijing time; 00:00 reads as 24时 of the
    day before and 23:59 (or later within the minute) as 24时 of that day.
    """
    parsed = _as_date_or_datetime(value)
    if not isinstance(parsed, datetime):
        return f"{format_day(parsed)}24时前"
    local = _beijing(parsed)
    clock = local.timetz().replace(tzinfo=None)
    if clock == time(0, 0):
        return f"{format_day(local.date() - timedelta(days=1))}24时前"
    if clock >= time(23, 59):
        return f"{format_day(local.date())}24时前"
    minutes = f"{local.minute}分" if local.minute else ""
    return f"{format_day(local.date())}{local.hour}时{minutes}前"


def _deadline(value: date | datetime | str, provisional: bool = False) -> str:
    text = format_due(value)
    return f"{text}（暂定：当年节假日安排尚未公布，以正式安排为准）" if provisional else text


def _cycle_name(value: object) -> str:
    _require(value)
    return f"{value}年度" if isinstance(value, int) else str(value)


def _numbered(value: object) -> str:
    _require(value)
    if isinstance(value, str):
        return value
    if not isinstance(value, Iterable):
        raise RenderError(f"应为文字或文字列表：{value!r}")
    items = [str(item) for item in value]
    return "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(due=format_due, deadline=_deadline, day=format_day, cycle_name=_cycle_name, numbered=_numbered)
    return env


def render(kind: str, context: Mapping[str, Any]) -> tuple[str, str]:
    """Render ``kind`` with ``context`` into ``(subject, body)``; raises :class:`RenderError`."""
    if kind not in KINDS and kind not in CASCADE_KINDS and kind not in FEEDBACK_KINDS:
        raise RenderError(f"未知的通知类型：{kind!r}（可用：{'、'.join(KINDS)}）")
    try:
        text = _environment().get_template(f"{kind}.txt.j2").render({**_OPTIONAL, **context})
    except jinja2.UndefinedError as error:
        match = re.search(r"'([^']+)' is undefined", str(error))
        name = match.group(1) if match else str(error)
        raise RenderError(f"通知模板 {kind} 缺少变量：{name}") from None
    except jinja2.TemplateError as error:
        raise RenderError(f"通知模板 {kind} 有误：{error}") from None
    subject, _, body = text.partition("\n")
    subject = subject.strip()
    if not subject:
        raise RenderError(f"通知模板 {kind} 的第一行（主题）为空")
    return subject, body.strip("\n").rstrip() + "\n"
