"""Group robots: requests as each service expects, signatures that verify, errors classified."""

from __future__ import annotations

import base64
import hashlib
import hmac
import socket
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest
from notify_support import DINGTALK_SECRET, FEISHU_SECRET, Factory, send

from kaohe.errors import DeliveryError
from kaohe.notifications import DingTalkChannel, FeishuChannel, Message, WeComChannel
from kaohe.testing.receivers import LocalWebhookReceiver

NOW = datetime(2019, 1, 20, 1, 0, 5, tzinfo=UTC)


def robots(hooks: LocalWebhookReceiver) -> dict[str, Factory]:
    """A factory per robot, pointed at the receiver and signing with the receiver's secrets."""
    return {
        "wecom": lambda http: WeComChannel(http, base_url=hooks.url, clock=lambda: NOW),
        "dingtalk": lambda http: DingTalkChannel(http, secret=DINGTALK_SECRET, base_url=hooks.url, clock=lambda: NOW),
        "feishu": lambda http: FeishuChannel(http, secret=FEISHU_SECRET, base_url=hooks.url, clock=lambda: NOW),
    }


def robot_message(channel: str, body: str = "弥勒市财政局：\n请于2019年1月23日（星期三）24时前报送自查报告。\n") -> Message:
    return Message("2018:self_report:czj:upcoming:1", "upcoming", channel, "robot-token-0001", "【考核提醒】“自查自评”还有3天截止", body)


def test_wecom_posts_markdown_with_key(hooks: LocalWebhookReceiver) -> None:
    receipt = send(robots(hooks)["wecom"], robot_message("wecom"))
    [request] = hooks.requests
    assert (request.method, request.path, request.query) == ("POST", "/cgi-bin/webhook/send", {"key": "robot-token-0001"})
    assert request.json["msgtype"] == "markdown"
    content = request.json["markdown"]["content"]
    assert content.startswith("**【考核提醒】“自查自评”还有3天截止**\n")
    assert "2019年1月23日（星期三）24时前" in content
    assert receipt.accepted_at == NOW and receipt.channel == "wecom" and receipt.key == "2018:self_report:czj:upcoming:1"


def test_dingtalk_signature_verifies(hooks: LocalWebhookReceiver) -> None:
    send(robots(hooks)["dingtalk"], robot_message("dingtalk"))
    [request] = hooks.requests
    assert request.path == "/robot/send" and request.query["access_token"] == "robot-token-0001"
    timestamp = request.query["timestamp"]
    assert timestamp == str(int(NOW.timestamp() * 1000))
    expected = base64.b64encode(
        hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert request.query["sign"] == expected
    assert f"sign={quote_plus(expected)}" in request.target
    markdown = request.json["markdown"]
    assert request.json["msgtype"] == "markdown"
    assert markdown["title"] == "【考核提醒】“自查自评”还有3天截止"
    assert markdown["text"].startswith("#### 【考核提醒】")
    assert "2019年1月23日（星期三）24时前" in markdown["text"]


def test_feishu_signature_verifies(hooks: LocalWebhookReceiver) -> None:
    send(robots(hooks)["feishu"], robot_message("feishu"))
    [request] = hooks.requests
    assert request.path == "/open-apis/bot/v2/hook/robot-token-0001"
    payload = request.json
    assert payload["timestamp"] == str(int(NOW.timestamp()))
    string_to_sign = f"{payload['timestamp']}\n{FEISHU_SECRET}"
    expected = base64.b64encode(hmac.new(string_to_sign.encode(), b"", hashlib.sha256).digest()).decode()
    assert payload["sign"] == expected
    post = payload["content"]["post"]["zh_cn"]
    assert payload["msg_type"] == "post" and post["title"] == "【考核提醒】“自查自评”还有3天截止"
    assert [{"tag": "text", "text": "弥勒市财政局："}] in post["content"]


@pytest.mark.parametrize(("channel", "code"), [("dingtalk", 310000), ("feishu", 19021)])
def test_wrong_secret_is_refused_by_the_receiver_and_not_retryable(hooks: LocalWebhookReceiver, channel: str, code: int) -> None:
    factory: Factory = {
        "dingtalk": lambda http: DingTalkChannel(http, secret="wrong", base_url=hooks.url),
        "feishu": lambda http: FeishuChannel(http, secret="wrong", base_url=hooks.url),
    }[channel]
    with pytest.raises(DeliveryError, match=str(code)) as caught:
        send(factory, robot_message(channel))
    assert not caught.value.retryable


@pytest.mark.parametrize(
    ("channel", "code", "retryable"),
    [
        ("wecom", 45009, True),
        ("wecom", -1, True),
        ("wecom", 93000, False),
        ("wecom", 40008, False),
        ("dingtalk", 130101, True),
        ("dingtalk", 300001, False),
        ("dingtalk", 310000, False),
        ("feishu", 9499, True),
        ("feishu", 11232, True),
        ("feishu", 19024, False),
    ],
)
def test_error_code_inside_http_200_fails(hooks: LocalWebhookReceiver, channel: str, code: int, retryable: bool) -> None:
    hooks.fail_next(1, code=code, text="模拟错误")
    with pytest.raises(DeliveryError, match=f"错误码 {code} 模拟错误") as caught:
        send(robots(hooks)[channel], robot_message(channel))
    assert caught.value.retryable is retryable


@pytest.mark.parametrize("channel", ["wecom", "dingtalk", "feishu"])
@pytest.mark.parametrize(("status", "retryable"), [(429, True), (500, True), (502, True), (503, True), (400, False), (403, False), (404, False)])
def test_http_status_is_classified(hooks: LocalWebhookReceiver, channel: str, status: int, retryable: bool) -> None:
    hooks.fail_next(1, status=status)
    with pytest.raises(DeliveryError, match=f"HTTP {status}") as caught:
        send(robots(hooks)[channel], robot_message(channel))
    assert caught.value.retryable is retryable


@pytest.mark.parametrize(("reply", "ok"), [({"StatusCode": 0, "StatusMessage": "success"}, True), ({"StatusCode": 19021, "StatusMessage": "sign match fail"}, False)])
def test_feishu_older_status_code_replies(hooks: LocalWebhookReceiver, reply: dict[str, object], ok: bool) -> None:
    hooks.respond_next(1, body=reply)
    if ok:
        assert send(robots(hooks)["feishu"], robot_message("feishu")).channel == "feishu"
    else:
        with pytest.raises(DeliveryError, match="19021"):
            send(robots(hooks)["feishu"], robot_message("feishu"))


@pytest.mark.parametrize("channel", ["wecom", "dingtalk", "feishu"])
def test_reply_without_error_code_is_retryable(hooks: LocalWebhookReceiver, channel: str) -> None:
    hooks.respond_next(1, body="<html>gateway</html>")
    with pytest.raises(DeliveryError, match="无法识别") as caught:
        send(robots(hooks)[channel], robot_message(channel))
    assert caught.value.retryable


def test_timeout_is_retryable(hooks: LocalWebhookReceiver) -> None:
    hooks.delay_next(1, 1.0)
    with pytest.raises(DeliveryError, match="超时") as caught:
        send(robots(hooks)["wecom"], robot_message("wecom"), timeout=0.2)
    assert caught.value.retryable


def test_connection_refused_is_retryable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(DeliveryError, match="连接失败") as caught:
        send(lambda http: WeComChannel(http, base_url=url), robot_message("wecom"))
    assert caught.value.retryable


def test_token_does_not_leak_into_error_messages(hooks: LocalWebhookReceiver) -> None:
    hooks.fail_next(1, code=93000, text="invalid webhook url")
    with pytest.raises(DeliveryError) as caught:
        send(robots(hooks)["wecom"], robot_message("wecom"))
    assert "robot-token-0001" not in str(caught.value)


@pytest.mark.parametrize(("channel", "limit"), [("wecom", 4096), ("dingtalk", 20000), ("feishu", 20480)])
def test_oversized_message_is_refused_before_sending(hooks: LocalWebhookReceiver, channel: str, limit: int) -> None:
    message = robot_message(channel, body="考核" * (limit // 6 + 10))
    with pytest.raises(DeliveryError, match="消息过长") as caught:
        send(robots(hooks)[channel], message)
    assert not caught.value.retryable
    assert hooks.count == 0


def test_message_for_another_channel_is_refused(hooks: LocalWebhookReceiver) -> None:
    with pytest.raises(DeliveryError, match="属于渠道 email") as caught:
        send(robots(hooks)["wecom"], robot_message("email"))
    assert not caught.value.retryable


def test_unsigned_dingtalk_sends_no_signature() -> None:
    unsigned = LocalWebhookReceiver()
    with unsigned:
        send(lambda http: DingTalkChannel(http, base_url=unsigned.url), robot_message("dingtalk"))
        [request] = unsigned.requests
    assert set(request.query) == {"access_token"}
