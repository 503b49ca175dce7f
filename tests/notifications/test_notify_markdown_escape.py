"""Group 11 of issue #11: what a user typed (a unit name) never becomes a link or markup in a robot's markdown."""

from __future__ import annotations

from typing import Any

import pytest
from notify_support import DINGTALK_SECRET, send

from kaohe.notifications import DingTalkChannel, Message, WeComChannel, render
from kaohe.testing.receivers import LocalWebhookReceiver

HOSTILE = "[点此补报材料](http://evil.example/login)<font color=\"warning\">**紧急**</font>`x`"


@pytest.mark.parametrize("channel", ["wecom", "dingtalk"])
def test_a_unit_name_with_markdown_arrives_as_plain_text(hooks: LocalWebhookReceiver, context: dict[str, Any], channel: str) -> None:
    subject, body = render("upcoming", {**context, "unit": HOSTILE})
    message = Message("2018:self_check:x:upcoming:1", "upcoming", channel, "robot-token-0001", subject, body)
    factory = {"wecom": lambda http: WeComChannel(http, base_url=hooks.url),
               "dingtalk": lambda http: DingTalkChannel(http, secret=DINGTALK_SECRET, base_url=hooks.url)}[channel]
    send(factory, message)
    [request] = hooks.requests
    text = request.json["markdown"]["content" if channel == "wecom" else "text"]
    assert "](" not in text and "<font" not in text and "**紧急**" not in text and "`x`" not in text
    assert "［点此补报材料］(http://evil.example/login)＜font" in text
    assert "点此补报材料" in text and "弥勒" not in HOSTILE


def test_plain_markdown_keeps_chinese_text_and_numbers() -> None:
    from kaohe.notifications.formats import plain_markdown

    assert plain_markdown("请于2019年1月23日前报送：\n1. 书面自查报告") == "请于2019年1月23日前报送：\n1. 书面自查报告"
