"""Shared fixtures: real local receivers and a sample rendering context."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from notify_support import DINGTALK_SECRET, FEISHU_SECRET

from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver


@pytest.fixture
def hooks() -> Iterator[LocalWebhookReceiver]:
    """A webhook/robot receiver that checks signatures with the test secrets."""
    with LocalWebhookReceiver(dingtalk_secret=DINGTALK_SECRET, feishu_secret=FEISHU_SECRET) as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[LocalSmtpReceiver]:
    """A local SMTP server."""
    with LocalSmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def context() -> dict[str, Any]:
    """A context that satisfies every template."""
    return {
        "unit": "弥勒市财政局",
        "stage": "自查自评",
        "due": date(2019, 1, 23),
        "clause": "第五条（一）",
        "scheme": "弥勒市“挂包帮”定点扶贫工作考核办法",
        "cycle": 2018,
        "deliverables": ["书面自查报告", "自评分表（村党总支书记、主任签字并盖章）"],
        "days_left": 3,
        "days_overdue": 2,
        "supervisor": "弥勒市“挂包帮”“转走访”工作联席会议办公室",
        "old_due": date(2019, 1, 20),
        "grade": "合格",
        "score": 75,
        "problems": ["帮扶台账不完整", "资金使用凭证缺失"],
        "sample": ["西一镇", "虹溪镇"],
        "order_no": "督办〔2019〕3号",
        "issue": "挂包村年度实施计划未包括“一户一法”措施",
    }
