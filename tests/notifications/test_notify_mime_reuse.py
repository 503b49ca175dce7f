"""E-mails built with reused headers (kaohe.notifications.mime) are byte for byte what the standard library
builds, on the wire as aiosmtplib flattens them, the first time a header value is seen and every time after."""

from __future__ import annotations

import email.generator
import email.policy
from collections.abc import Iterator
from email.utils import formataddr

import pytest
from aiosmtplib.email import flatten_message
from hypothesis import given, settings
from hypothesis import strategies as st

import kaohe.notifications.email as mail
from kaohe.notifications.message import Attachment, Message
from kaohe.notifications.mime import ReusedHeaders

DATE = "Mon, 21 Jan 2019 09:00:00 +0800"
# Chinese, ASCII words, specials that need quoting or encoding, long runs that must be folded
TEXT = st.text(st.sampled_from(list("弥勒市“挂包帮”考核提醒自查自评截止（）：，。abcXYZ019 \"'<>@,;.:-_=?")), min_size=1, max_size=120)
NAME = st.text(st.sampled_from(list("弥勒市联席办公室“”（）abc XYZ.\"'")), min_size=0, max_size=60)


@pytest.fixture(autouse=True)
def fixed_boundary(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The multipart boundary is random; fix it so that two builds can be compared byte for byte."""
    monkeypatch.setattr(email.generator.Generator, "_make_boundary", classmethod(lambda cls, text=None: "==kaohe-test-boundary=="))
    yield


def _wire(message: Message, *, sender: str, reply_to: str | None) -> bytes:
    return flatten_message(mail.build_email(message, sender=sender, date_header=DATE, reply_to=reply_to))


def _standard(message: Message, *, sender: str, reply_to: str | None, monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patch:
        patch.setattr(mail, "POLICY", email.policy.default)
        return _wire(message, sender=sender, reply_to=reply_to)


@settings(max_examples=60, deadline=None)
@given(subject=TEXT, body=TEXT, name=NAME, office=NAME, reply=st.booleans(), attach=st.booleans())
def test_reused_headers_give_the_standard_bytes(subject: str, body: str, name: str, office: str, reply: bool, attach: bool) -> None:
    patch = pytest.MonkeyPatch()
    try:
        message = Message(key=f"k:{subject}", kind="upcoming", channel="email", recipient=formataddr((name, "u1@example.cn")),
                          subject=subject, body=body, sender_name=office or None,
                          attachments=(Attachment("自查报告（模板）.docx", b"PK\x03\x04" * 10, "application/octet-stream"),) if attach else ())
        sender = "弥勒市联席办 <kaohe@example.cn>"
        reply_to = "联席办 <office@example.cn>" if reply else None
        expected = _standard(message, sender=sender, reply_to=reply_to, monkeypatch=patch)
        first = _wire(message, sender=sender, reply_to=reply_to)
        again = _wire(message, sender=sender, reply_to=reply_to)
        assert first == expected
        assert again == expected
        assert max(len(line) for line in first.split(b"\r\n")) <= 998 and first.isascii()
    finally:
        patch.undo()


def test_a_header_is_made_once_per_value_and_the_caches_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from kaohe.notifications import mime

    factory = ReusedHeaders()
    assert factory("Subject", "【考核提醒】自查自评") is factory("Subject", "【考核提醒】自查自评")
    assert factory("Subject", "甲") is not factory("Subject", "乙")
    monkeypatch.setattr(mime, "LIMIT", 10)
    for n in range(25):
        factory("To", f"u{n}@example.cn")
    assert len(factory._made) <= 10
