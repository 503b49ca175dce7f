"""Supervision orders (督办单): their numbers, their reminder waves and the immediate-feedback message.

An order is reminded like a stage: the waves of the scheme's unit reminder plan (the plan of its first
stage owed by assessed units), counted back from the order's deadline, except the "stage opened"
wave — the order itself is that message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

from kaohe.planning import PlannedReminder, plan_reminders
from kaohe.schemes.model import ReminderPlan, Scheme
from kaohe.workdays import WorkdayCalendar

ORDER_STAGE_KIND = "supervision_order"


def order_no(year: int, number: int) -> str:
    """The order's number as printed, e.g. ``督办〔2018〕3号``."""
    return f"督办〔{year}〕{number}号"


def order_stage_key(number: int) -> str:
    """The key of the stage row that holds order ``number``'s deadline."""
    return f"order_{number}"


def unit_reminder_plan(scheme: Scheme) -> ReminderPlan | None:
    """The reminder plan of the scheme's first stage owed by assessed units (None if there is none)."""
    for stage in scheme.stages:
        if stage.actor == "assessed" and stage.reminders:
            return scheme.reminder_plans[stage.reminders]
    return None


def supervision_clause(scheme: Scheme) -> str:
    """The clause orders are issued under: the scheme's supervision stage, else a plain name."""
    stage = next((s for s in scheme.stages if s.kind == "supervision"), None)
    return stage.clause if stage else "日常督查"


def order_waves(stage_key: str, issued_day: dt.date, due_day: dt.date, plan: ReminderPlan,
                calendar: WorkdayCalendar, hhmm: str) -> list[PlannedReminder]:
    """The reminder waves of one order (upcoming, due today, overdue, escalation), never on a non-working day."""
    return plan_reminders(stage_key, issued_day, due_day, plan.model_copy(update={"stage_opened": False}), calendar, hhmm)


def parse_scores(pairs: Sequence[str]) -> dict[str, Decimal]:
    """``ITEM=VALUE`` pairs as scores; ValueError names the first bad pair."""
    from kaohe.scoring.numbers import to_decimal

    scores: dict[str, Decimal] = {}
    for pair in pairs:
        item, sep, value = pair.partition("=")
        if not sep or not item.strip():
            raise ValueError(f"“{pair}”应写成 项目=分数，如 整改落实=18")
        try:
            number = to_decimal(value)
        except ValueError as error:
            reason = str(error) if "KAOHE_" in str(error) else "应为数字"
            raise ValueError(f"“{item.strip()[:40]}”的分数{reason}") from None
        if number < 0:
            raise ValueError(f"“{pair}”中的分数不能为负")
        if item.strip() in scores:
            raise ValueError(f"项目“{item.strip()}”重复")
        scores[item.strip()] = number
    return scores


def feedback_message(*, unit: str, number: str, issue: str, scheme: str, clause: str, scores: Mapping[str, Decimal],
                     note: str | None, by: str, office: str | None) -> tuple[str, str]:
    """Subject and body of the immediate feedback after an order's verification was scored (鄂尔多斯第十条)."""
    total = sum(scores.values(), Decimal(0))
    lines = "\n".join(f"{n}. {item}：{format(value, 'f')}分" for n, (item, value) in enumerate(scores.items(), 1))
    body = (f"{unit}：\n\n根据《{scheme}》{clause}，现将督办单（编号：{number}）所督办事项的专项核查评分即时反馈如下：\n"
            f"督办事项：{issue}\n{lines}\n合计：{format(total, 'f')}分\n评分人：{by}\n")
    if note:
        body += f"\n意见：{note}\n"
    if office:
        body += f"\n{office}\n"
    body += f"（本反馈由考核工作系统依据《{scheme}》自动发送）\n"
    return f"【即时反馈】督办单{number}核查评分：{format(total, 'f')}分", body
