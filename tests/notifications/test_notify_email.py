"""E-mail reaches a real local SMTP server with Chinese headers and attachment names intact."""

from __future__ import annotations

import asyncio
import re
import socket
from datetime import UTC, datetime
from typing import Any

import pytest

from kaohe.errors import ConfigError, DeliveryError
from kaohe.notifications import (
    AiosmtplibTransport,
    Attachment,
    EmailChannel,
    Message,
    build_message,
)
from kaohe.notifications.email import message_id_for
from kaohe.testing.receivers import LocalSmtpReceiver

SENDER = "弥勒市“挂包帮”联席会议办公室 <kaohe@mile.example.cn>"
RECIPIENT = "弥勒市财政局 <czj@mile.example.cn>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _channel(smtp: LocalSmtpReceiver) -> EmailChannel:
    clock = lambda: datetime(2019, 1, 20, 1, 0, tzinfo=UTC)  # noqa: E731
    return EmailChannel(AiosmtplibTransport(smtp.host, smtp.port, timeout=5), sender=SENDER, clock=clock)


def _message(context: dict[str, Any], key: str = "2018:self_report:czj:upcoming:1") -> Message:
    attachment = Attachment("附件2：自评分表（2018年度）.xlsx", b"PK\x03\x04 fake workbook", XLSX)
    return build_message("upcoming", context, key=key, channel="email", recipient=RECIPIENT, attachments=(attachment,))


def test_email_arrives_with_chinese_subject_names_body_and_attachment(smtp: LocalSmtpReceiver, context: dict[str, Any]) -> None:
    message = _message(context)
    receipt = asyncio.run(_channel(smtp).send(message))

    mail = smtp.wait_for(1)[0]
    parsed = mail.message
    assert mail.rcpt_tos == ("czj@mile.example.cn",)
    assert parsed["Subject"] == message.subject
    assert parsed["From"].addresses[0].display_name == "弥勒市“挂包帮”联席会议办公室"
    assert parsed["To"].addresses[0].display_name == "弥勒市财政局"
    assert parsed["Date"].datetime == datetime(2019, 1, 20, 1, 0, tzinfo=UTC)
    assert "2019年1月23日（星期三）24时前" in parsed.get_body(("plain",)).get_content()
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "附件2：自评分表（2018年度）.xlsx"
    assert attachment.get_content_type() == XLSX
    assert attachment.get_content() == b"PK\x03\x04 fake workbook"
    assert receipt.remote_id == parsed["Message-ID"] == message_id_for(message.key, "mile.example.cn")


def test_headers_on_the_wire_are_ascii_with_rfc2047_and_rfc2231(smtp: LocalSmtpReceiver, context: dict[str, Any]) -> None:
    asyncio.run(_channel(smtp).send(_message(context)))
    raw = smtp.wait_for(1)[0].raw
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert b"Subject: =?utf-8?" in head
    assert re.search(rb"filename\*(0\*)?=utf-8''%", raw)


def test_resend_has_the_same_message_id_and_other_keys_differ(smtp: LocalSmtpReceiver, context: dict[str, Any]) -> None:
    channel = _channel(smtp)

    async def send_three() -> None:
        await channel.send(_message(context))
        await channel.send(_message(context))
        await channel.send(_message(context, key="2018:self_report:czj:upcoming:2"))

    asyncio.run(send_three())
    ids = [mail.message["Message-ID"] for mail in smtp.wait_for(3)]
    assert ids[0] == ids[1] != ids[2]


def test_several_recipients_each_get_the_mail(smtp: LocalSmtpReceiver, context: dict[str, Any]) -> None:
    message = build_message(
        "due_today", context, key="k", channel="email", recipient="财政局 <a@example.cn>, 扶贫办 <b@example.cn>"
    )
    asyncio.run(_channel(smtp).send(message))
    assert smtp.wait_for(1)[0].rcpt_tos == ("a@example.cn", "b@example.cn")


@pytest.mark.parametrize(("code", "retryable"), [(451, True), (421, True), (550, False), (554, False)])
def test_smtp_refusal_is_classified(smtp: LocalSmtpReceiver, context: dict[str, Any], code: int, retryable: bool) -> None:
    smtp.fail_next(1, code=code, text="simulated")
    with pytest.raises(DeliveryError) as caught:
        asyncio.run(_channel(smtp).send(_message(context)))
    assert caught.value.retryable is retryable
    assert str(code) in str(caught.value)
    assert smtp.mails == []


def test_unreachable_server_is_retryable(context: dict[str, Any]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    channel = EmailChannel(AiosmtplibTransport("127.0.0.1", port, timeout=2), sender=SENDER)
    with pytest.raises(DeliveryError) as caught:
        asyncio.run(channel.send(_message(context)))
    assert caught.value.retryable


@pytest.mark.parametrize("recipient", ["", "财政局", "not an address"])
def test_malformed_address_is_not_retryable(smtp: LocalSmtpReceiver, recipient: str) -> None:
    message = Message("k", "upcoming", "email", recipient, "主题", "正文\n")
    with pytest.raises(DeliveryError, match="邮件地址无效") as caught:
        asyncio.run(_channel(smtp).send(message))
    assert not caught.value.retryable


def test_malformed_sender_is_a_config_error(smtp: LocalSmtpReceiver) -> None:
    with pytest.raises(ConfigError, match="KAOHE_SMTP_SENDER"):
        EmailChannel(AiosmtplibTransport(smtp.host, smtp.port), sender="考核办")
