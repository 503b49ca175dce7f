"""E-mails written straight to bytes (kaohe.notifications.mail_bytes) read back, with the standard library, as the
same headers and bodies as the mail the standard library builds itself."""

from __future__ import annotations

import email
import email.policy
import re
from email.header import decode_header
from email.message import EmailMessage

from aiosmtplib.email import flatten_message
from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.notifications.email import build_email, compose_email, parse_addresses
from kaohe.notifications.mail_bytes import MAX_WORD, simple_mailboxes
from kaohe.notifications.message import Attachment, Message

DATE = "Mon, 21 Jan 2019 01:00:00 +0000"
# Chinese (also 4-byte characters), full-width punctuation, ASCII words and specials, runs of spaces, encoded-word lookalikes
CHARS = list("弥勒市“挂包帮”考核提醒自查自评截止（）：，。【】𠀀abcXYZ019 \"'<>@,;.:-_=?\\")
TEXT = st.text(st.sampled_from(CHARS), min_size=1, max_size=150)
BODY = st.lists(st.sampled_from([*CHARS, "\n", "\r\n", "\r", ".", "\t", "\n.", "\n.."]), max_size=300).map("".join)
NAME = st.text(st.sampled_from(list("弥勒市联席办公室财政局“”（）𠀀abc XYZ.\"',<>\t")), min_size=0, max_size=40)


def _address(name: str, addr: str) -> str:
    """``name <addr>`` as a user types it (Chinese as is), the name quoted when it holds specials."""
    if not name:
        return addr
    if any(c in name for c in '()<>@,;:\\".[]'):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{addr}>"


def _parse(data: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _decoded(raw_value: str) -> str:
    """A header value decoded as RFC 2047 says (adjacent encoded words join without the space between them)."""
    pieces = decode_header(raw_value.replace("\r\n", ""))
    return "".join(p.decode(c or "ascii") if isinstance(p, bytes) else p for p, c in pieces)


def _check_addresses(ours: EmailMessage, raw: email.message.Message, header: str, given: list[tuple[str, str]]) -> None:
    expected = [(" ".join(re.split("[ \t]+", name.strip(" \t"))), addr) for name, addr in given]  # blank runs become one space
    assert [a.addr_spec for a in ours[header].addresses] == [addr for _, addr in expected]
    assert _decoded(raw[header]) == ", ".join(f"{name} <{addr}>" if name else addr for name, addr in expected)
    for (name, _), got in zip(expected, ours[header].addresses, strict=True):
        if len(f"=?utf-8?b?{'x' * (4 * -(-len(name.encode()) // 3))}?=") <= MAX_WORD:
            assert got.display_name == name  # one encoded word (or plain words): read back exactly by the standard library too


@settings(max_examples=150, deadline=None)
@given(subject=TEXT, body=BODY, name=NAME, second=st.one_of(st.none(), NAME), office=NAME, reply=st.booleans())
def test_written_bytes_read_back_as_the_standard_librarys_mail(subject: str, body: str, name: str, second: str | None,
                                                                office: str, reply: bool) -> None:
    recipient = _address(name, "u1@example.cn") + ("" if second is None else ", " + _address(second, "u.2@mail.example.cn"))
    message = Message(key=f"k:{subject}", kind="upcoming", channel="email", recipient=recipient, subject=subject, body=body,
                      sender_name=office or None)
    sender, reply_to = "弥勒市“挂包帮”“转走访”工作联席会议办公室 <kaohe@example.cn>", "联席办 <office@example.cn>" if reply else None

    mail = compose_email(message, sender=sender, date_header=DATE, reply_to=reply_to)
    ours = _parse(mail.data)
    raw = email.message_from_bytes(mail.data, policy=email.policy.compat32)
    theirs = _parse(flatten_message(build_email(message, sender=sender, date_header=DATE, reply_to=reply_to)))

    assert mail.data.isascii() and not mail.utf8
    head = mail.data.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78 and max(len(line) for line in mail.data.split(b"\r\n")) <= 998
    assert all(not part.defects for part in ours.walk())
    for header in ("Date", "Message-ID"):
        assert ours[header] == theirs[header]
    assert ours["Subject"] == subject  # exactly (the standard library's own mail loses a leading or trailing space)
    _check_addresses(ours, raw, "To", [(a.display_name, a.addr_spec) for a in parse_addresses(recipient)])
    _check_addresses(ours, raw, "From", [(office or "弥勒市“挂包帮”“转走访”工作联席会议办公室", "kaohe@example.cn")])
    assert ("Reply-To" in ours) == reply
    if reply:
        _check_addresses(ours, raw, "Reply-To", [("联席办", "office@example.cn")])
    assert mail.sender == "kaohe@example.cn"
    # The envelope is every address the recipient text names. (Not compared with the standard library's own mail: for
    # some quoted names, e.g. 'X <<<““““““““𠀀', its To header folds so that a second address no longer parses back.)
    assert mail.recipients == tuple(a.addr_spec for a in parse_addresses(recipient))
    assert mail.message_id == theirs["Message-ID"]
    assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        part, expected = ours.get_body((kind,)), theirs.get_body((kind,))
        assert part is not None and expected is not None
        assert part.get_content() == expected.get_content()
        assert part.get_content_charset() == expected.get_content_charset() == "utf-8"


def test_a_wave_mail_reads_back_exactly() -> None:
    message = Message(key="2018:self_check:U000001:upcoming", kind="upcoming", channel="email", recipient="弥勒市挂包帮单位000001 <u1@example.cn>",
                      subject="【考核提醒】“自查自评”还有2天截止：2019年1月23日（星期三）24时前", body="弥勒市挂包帮单位000001：\n\n请按时报送。\n")
    mail = compose_email(message, sender="联席办 <kaohe@example.cn>", date_header=DATE)
    parsed = _parse(mail.data)
    assert str(parsed["To"]) == "弥勒市挂包帮单位000001 <u1@example.cn>"
    assert str(parsed["From"]) == "联席办 <kaohe@example.cn>"
    assert parsed["Subject"] == message.subject
    body = parsed.get_body(("plain",))
    assert body is not None and body.get_content() == message.body


def test_attachments_and_non_ascii_addresses_go_through_the_standard_library() -> None:
    attached = Message(key="k", kind="results", channel="email", recipient="财政局 <czj@example.cn>", subject="【考核结果】", body="见附件。\n",
                       attachments=(Attachment("附件2：自评分表.xlsx", b"PK\x03\x04", "application/octet-stream"),))
    mail = compose_email(attached, sender="联席办 <kaohe@example.cn>", date_header=DATE)
    [attachment] = list(_parse(mail.data).iter_attachments())
    assert attachment.get_filename() == "附件2：自评分表.xlsx" and attachment.get_content() == b"PK\x03\x04"

    wide = Message(key="k", kind="upcoming", channel="email", recipient="张三 <zhang@例子.中国>", subject="提醒", body="正文\n")
    mail = compose_email(wide, sender="联席办 <kaohe@example.cn>", date_header=DATE)
    assert mail.utf8 and mail.recipients == ("zhang@例子.中国",)
    assert email.message_from_string(mail.data.decode(), policy=email.policy.default)["To"].addresses[0].addr_spec == "zhang@例子.中国"


ADDRESS_TEXT = st.lists(st.tuples(st.text(st.sampled_from(list("单位联席办 abc.\"'()<>,;:@[]\\\t\u3000")), max_size=12),
                                  st.sampled_from(["u1@example.cn", "a.b@c-d.example", "x@y", "bad", "a..b@c", "a@b.", "<z@w>"])),
                        min_size=1, max_size=3)


@settings(max_examples=300, deadline=None)
@given(parts=ADDRESS_TEXT, bare=st.booleans())
def test_the_quick_address_reading_agrees_with_the_standard_library(parts: list[tuple[str, str]], bare: bool) -> None:
    text = ", ".join(addr if bare else f"{name} <{addr}>" for name, addr in parts)
    quick = simple_mailboxes(text)
    if quick is not None:
        assert quick == [(a.display_name, a.addr_spec) for a in parse_addresses(text)]
