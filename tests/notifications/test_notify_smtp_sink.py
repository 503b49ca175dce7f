"""The lean SMTP sink of the benchmarks receives what kaohe and plain aiosmtplib send, as an SMTP server would."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime

import aiosmtplib
import pytest

from kaohe.errors import DeliveryError
from kaohe.notifications import AiosmtplibTransport, EmailChannel, Message
from kaohe.testing.smtp_sink import LeanSmtpSink, unstuff


def _channel(sink: LeanSmtpSink) -> EmailChannel:
    return EmailChannel(AiosmtplibTransport(sink.host, sink.port, timeout=5), sender="联席办 <kaohe@example.cn>",
                        clock=lambda: datetime(2019, 1, 20, 1, 0, tzinfo=UTC))


def test_kaohe_mail_arrives_whole_and_in_order() -> None:
    bodies = ["第一行\n.以点开头的行\n..两个点\n.\n", "正文\n"]
    messages = [Message(key=f"k{n}", kind="upcoming", channel="email", recipient=f"单位{n} <u{n}@example.cn>, v{n}@example.cn",
                        subject=f"【考核提醒】{n}", body=body) for n, body in enumerate(bodies)]

    async def send() -> None:
        channel = _channel(sink)
        for message in messages:
            await channel.send(message)

    with LeanSmtpSink() as sink:
        asyncio.run(send())
        mails = sink.wait_for(2)
    assert [m.mail_from for m in mails] == ["kaohe@example.cn"] * 2
    assert [m.rcpt_tos for m in mails] == [("u0@example.cn", "v0@example.cn"), ("u1@example.cn", "v1@example.cn")]
    for mail, message in zip(mails, messages, strict=True):
        assert mail.message["Subject"] == message.subject
        plain = mail.message.get_body(("plain",))
        assert plain is not None and plain.get_content() == message.body
    assert len({mail.message["Message-ID"] for mail in mails}) == 2


def test_plain_aiosmtplib_with_dot_lines_reset_and_a_kept_connection() -> None:
    data = b"Subject: x\r\nMessage-ID: <1@x>\r\n\r\n.\r\n..\r\nline\r\n.end\r\n"

    async def send() -> None:
        async with aiosmtplib.SMTP(hostname=sink.host, port=sink.port, timeout=5) as client:
            await client.sendmail("a@example.cn", ["b@example.cn"], data)
            await client.rset()
            await client.noop()
            await client.sendmail("a@example.cn", ["c@example.cn"], data.replace(b"<1@x>", b"<2@x>"))

    with LeanSmtpSink() as sink:
        asyncio.run(send())
        mails = sink.wait_for(2)
    assert [m.raw for m in mails] == [data, data.replace(b"<1@x>", b"<2@x>")]
    assert unstuff(b"..a\r\n..\r\n...b\r\n") == b".a\r\n.\r\n..b\r\n"


def test_pipelined_commands_are_answered_in_order_and_out_of_order_ones_refused() -> None:
    with LeanSmtpSink() as sink, socket.create_connection((sink.host, sink.port), timeout=5) as connection:
        reader = connection.makefile("rb")
        assert reader.readline().startswith(b"220")
        connection.sendall(b"EHLO me\r\nRCPT TO:<b@x>\r\nDATA\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@x>\r\nDATA\r\n")
        replies = [reader.readline() for _ in range(9)]
        assert [r[:4] for r in replies] == [b"250-", b"250-", b"250-", b"250-", b"250 ", b"503 ", b"503 ", b"250 ", b"250 "]
        assert reader.readline().startswith(b"354")
        connection.sendall(b"Subject: y\r\n\r\nbody\r\n.\r\nNOOP\r\nQUIT\r\n")
        assert [reader.readline()[:3] for _ in range(3)] == [b"250", b"250", b"221"]
        assert sink.wait_for(1)[0].raw == b"Subject: y\r\n\r\nbody\r\n"


def test_a_refused_message_is_a_retryable_delivery_error() -> None:
    message = Message(key="k", kind="upcoming", channel="email", recipient="u@example.cn", subject="提醒", body="正文\n")
    with LeanSmtpSink() as sink:
        sink.fail_next(1)
        with pytest.raises(DeliveryError) as refused:
            asyncio.run(_channel(sink).send(message))
        assert refused.value.retryable and sink.count == 0
        asyncio.run(_channel(sink).send(message))
        assert sink.count == 1
