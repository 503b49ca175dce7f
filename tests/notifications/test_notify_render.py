"""Templates render for every kind in Chinese and name what a unit needs to act."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from kaohe.errors import KaoheError
from kaohe.notifications import KINDS, RenderError, format_due, render

DUE_TEXT = "2019年1月23日（星期三）24时前"


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_names_unit_stage_due_clause_scheme_cycle_and_deliverables(kind: str, context: dict[str, Any]) -> None:
    subject, body = render(kind, context)
    text = subject + "\n" + body
    assert subject and "\n" not in subject
    for expected in ("弥勒市财政局", "自查自评", DUE_TEXT, "第五条（一）", "弥勒市“挂包帮”定点扶贫工作考核办法", "2018年度", "书面自查报告", "自评分表"):
        assert expected in text, f"{kind} 缺少 {expected}"


def test_escalation_goes_to_the_supervisor_and_names_the_overdue_unit(context: dict[str, Any]) -> None:
    subject, body = render("escalation", context)
    assert body.startswith("弥勒市“挂包帮”“转走访”工作联席会议办公室：")
    assert "弥勒市财政局" in subject and "已逾期2天" in subject


def test_deadline_changed_shows_old_and_new_due(context: dict[str, Any]) -> None:
    _, body = render("deadline_changed", context)
    assert "由2019年1月20日（星期日）24时前调整为2019年1月23日（星期三）24时前" in body


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("upcoming", "还有3天"),
        ("overdue", "已逾期2天"),
        ("results", "考核结果为“合格”，得分75分"),
        ("rectification", "2. 资金使用凭证缺失"),
        ("sample_drawn", "2. 虹溪镇"),
        ("supervision_order", "督办〔2019〕3号"),
    ],
)
def test_kind_specific_details(kind: str, expected: str, context: dict[str, Any]) -> None:
    assert expected in render(kind, context)[1]


def test_provisional_due_date_says_so(context: dict[str, Any]) -> None:
    assert "暂定" not in render("upcoming", context)[1]
    assert "暂定：当年节假日安排尚未公布" in render("upcoming", {**context, "provisional": True})[1]


def test_office_and_note_appear_when_given(context: dict[str, Any]) -> None:
    _, body = render("stage_opened", {**context, "office": "弥勒市扶贫开发领导小组办公室", "note": "联系人：张三"})
    assert "弥勒市扶贫开发领导小组办公室" in body and "附言：联系人：张三" in body


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (date(2019, 1, 23), DUE_TEXT),
        ("2019-01-23", DUE_TEXT),
        (datetime(2019, 1, 23, 16, 0, tzinfo=UTC), DUE_TEXT),  # 24:00 Beijing = midnight of the 24th
        (datetime(2019, 1, 23, 23, 59, 59, tzinfo=timezone(timedelta(hours=8))), DUE_TEXT),
        (datetime(2019, 1, 23, 9, 30, tzinfo=UTC), "2019年1月23日（星期三）17时30分前"),
        ("2019-01-23T09:00:00+08:00", "2019年1月23日（星期三）9时前"),
        (date(2020, 2, 29), "2020年2月29日（星期六）24时前"),
        (date(2025, 1, 26), "2025年1月26日（星期日）24时前"),
    ],
)
def test_due_date_format(due: object, expected: str) -> None:
    assert format_due(due) == expected  # type: ignore[arg-type]


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(RenderError, match="缺少时区"):
        format_due(datetime(2019, 1, 23, 12, 0))


def test_unknown_kind_is_a_chinese_kaohe_error(context: dict[str, Any]) -> None:
    with pytest.raises(KaoheError, match="未知的通知类型：'reminder'"):
        render("reminder", context)


@pytest.mark.parametrize("missing", ["unit", "due", "clause", "deliverables"])
def test_missing_variable_names_the_variable(missing: str, context: dict[str, Any]) -> None:
    del context[missing]
    with pytest.raises(RenderError, match=f"通知模板 upcoming 缺少变量：{missing}"):
        render("upcoming", context)


def test_bad_date_value_is_a_render_error(context: dict[str, Any]) -> None:
    with pytest.raises(RenderError, match="无法识别的日期"):
        render("upcoming", {**context, "due": "一月底"})
