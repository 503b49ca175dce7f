"""Robots with their own secrets (from a secrets file or the roster, never code), the responsible person
@-mentioned by mobile where the platform allows it, and user text that cannot inject markup."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from notify_support import send

from kaohe.errors import ConfigError
from kaohe.notifications import Message
from kaohe.notifications.email import build_email
from kaohe.notifications.markup import html_body
from kaohe.notifications.registry import build_channels
from kaohe.notifications.robot_secrets import load_robot_secrets, roster_robot_secrets
from kaohe.settings import Settings
from kaohe.testing.receivers import LocalWebhookReceiver

ROBOT_A, ROBOT_B = "dingtalk-robot-a", "dingtalk-robot-b"
SECRETS = {ROBOT_A: "SEC-a-第一个机器人", ROBOT_B: "SEC-b-第二个机器人", "feishu-hook-c": "feishu-c"}


def message(channel: str, recipient: str, *, mentions: tuple[str, ...] = ("13800000003",), body: str | None = None) -> Message:
    text = body or "弥勒市某局（三）：\n请于2019年1月23日（星期三）24时前报送自查报告。\n办理入口：http://127.0.0.1:8000/t/abc.def\n"
    return Message(f"k-{channel}-{recipient}", "upcoming", channel, recipient, "【考核提醒】“自查自评”还有3天截止", text, mentions=mentions,
                   links=("http://127.0.0.1:8000/t/abc.def",))


def _channels(hooks: LocalWebhookReceiver, tmp_path: Path, robot_secrets: dict[str, dict[str, str]] | None = None):  # type: ignore[no-untyped-def]
    secrets_file = tmp_path / "robots.yaml"
    secrets_file.write_text(f"dingtalk:\n  {ROBOT_A}: {SECRETS[ROBOT_A]}\nfeishu:\n  feishu-hook-c: feishu-c\n", encoding="utf-8")
    settings = Settings(robot_secrets_file=secrets_file, **hooks.settings_overrides())  # type: ignore[arg-type]
    return lambda http: build_channels(settings, http, robot_secrets=robot_secrets)


def test_each_robot_signs_with_its_own_secret_from_the_file_or_the_roster(tmp_path: Path) -> None:
    roster = roster_robot_secrets([({"dingtalk": ROBOT_B}, {"钉钉密钥": SECRETS[ROBOT_B]}), ({"email": "x@example.cn"}, {})])
    assert roster["dingtalk"] == {ROBOT_B: SECRETS[ROBOT_B]}
    with LocalWebhookReceiver(robot_secrets=SECRETS) as hooks:
        channels = _channels(hooks, tmp_path, roster)
        for robot in (ROBOT_A, ROBOT_B):
            receipt = send(lambda http: channels(http)["dingtalk"], message("dingtalk", robot))
            assert receipt.answer == "errcode 0 ok"
        send(lambda http: channels(http)["feishu"], message("feishu", "feishu-hook-c"))
        assert [r.query.get("access_token") for r in hooks.requests if r.flavor == "dingtalk"] == [ROBOT_A, ROBOT_B]


def test_a_robot_without_its_secret_is_refused(tmp_path: Path) -> None:
    from kaohe.errors import DeliveryError

    with LocalWebhookReceiver(robot_secrets=SECRETS) as hooks:
        channels = _channels(hooks, tmp_path)  # no roster: robot B has no secret anywhere
        with pytest.raises(DeliveryError) as refused:
            send(lambda http: channels(http)["dingtalk"], message("dingtalk", ROBOT_B))
    assert not refused.value.retryable and refused.value.answer == "errcode 310000 sign not match"


def test_a_bad_secrets_file_is_one_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "robots.yaml"
    bad.write_text("slack:\n  x: y\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="未知平台 'slack'"):
        load_robot_secrets(bad)
    with pytest.raises(ConfigError, match="无法读取"):
        load_robot_secrets(tmp_path / "missing.yaml")


def test_dingtalk_and_wecom_mention_the_responsible_person_by_mobile(tmp_path: Path) -> None:
    with LocalWebhookReceiver(robot_secrets=SECRETS) as hooks:
        channels = _channels(hooks, tmp_path)
        send(lambda http: channels(http)["dingtalk"], message("dingtalk", ROBOT_A))
        send(lambda http: channels(http)["wecom"], message("wecom", "wecom-key"))
        send(lambda http: channels(http)["feishu"], message("feishu", "feishu-hook-c"))
        ding, wecom, feishu = hooks.requests
    assert ding.json["at"] == {"atMobiles": ["13800000003"], "isAtAll": False}
    assert ding.json["markdown"]["text"].endswith("@13800000003")
    assert "[http://127.0.0.1:8000/t/abc.def](http://127.0.0.1:8000/t/abc.def)" in ding.json["markdown"]["text"]
    assert wecom.json["msgtype"] == "text" and wecom.json["text"]["mentioned_mobile_list"] == ["13800000003"]
    assert "办理入口：http://127.0.0.1:8000/t/abc.def" in wecom.json["text"]["content"]
    links = [part for line in feishu.json["content"]["post"]["zh_cn"]["content"] for part in line if part["tag"] == "a"]
    assert links == [{"tag": "a", "text": "http://127.0.0.1:8000/t/abc.def", "href": "http://127.0.0.1:8000/t/abc.def"}]


def test_user_text_cannot_inject_markup() -> None:
    evil = "恶意单位](http://evil.example/x) <font color=\"warning\">紧急</font> <script>alert(1)</script> **粗体**"
    base = message("dingtalk", ROBOT_A, mentions=(), body=f"{evil}：\n请报送。\n")
    from kaohe.notifications.formats import dingtalk_payload, wecom_payload

    for text in (dingtalk_payload(base)["markdown"]["text"], wecom_payload(replace(base, channel="wecom"))["markdown"]["content"]):
        assert "](http://evil" not in text and "<font" not in text and "<script>" not in text and "**粗体**" not in text
        assert "恶意单位" in text
    html = html_body(replace(base, channel="email"))
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="http://evil' not in html
    mail = build_email(replace(base, channel="email", recipient="a@example.cn"), sender="kaohe@example.cn", date_header="Mon, 28 Jan 2019 09:00:00 +0800")
    assert "<script>" not in mail.get_body(("html",)).get_content()
