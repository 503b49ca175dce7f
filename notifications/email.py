"""E-mail over SMTP: a correctly encoded Chinese MIME message, written as bytes once, and an injected transport."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import aiosmtplib
from aiosmtplib.email import flatten_message

from kaohe.errors import ConfigError, DeliveryError
from kaohe.notifications.channel import Clock, check_channel, utc_now
from kaohe.notifications.mail_bytes import Mailbox, address_line, alternative_mail, cached_address_line, simple_mailboxes, unstructured_line
from kaohe.notifications.markup import html_body
from kaohe.notifications.message import Message, Receipt
from kaohe.notifications.mime import POLICY

if TYPE_CHECKING:
    from kaohe.settings import Settings


@dataclass(frozen=True)
class OutgoingMail:
    """A finished e-mail: the envelope, the bytes sent after DATA (CRLF line ends) and its Message-ID."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes
    message_id: str
    utf8: bool = False
    """The envelope or headers hold non-ASCII addresses: the server must offer SMTPUTF8."""


class SmtpTransport(Protocol):
    """Hands a finished e-mail to a mail server; raises DeliveryError on failure."""

    async def send(self, mail: OutgoingMail) -> str | None:
        """Deliver ``mail`` to its envelope recipients; return the server's final reply (e.g. "250 OK")."""
        ...


def _smtp_error(error: Exception) -> DeliveryError:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in error.recipients]
        detail = "；".join(f"{r.recipient}：{r.code} {r.message}" for r in error.recipients)
        return DeliveryError(f"邮件服务器拒收收件人：{detail}", retryable=all(400 <= c < 500 for c in codes), answer=detail)
    if isinstance(error, aiosmtplib.SMTPNotSupported):
        return DeliveryError(f"邮件服务器不支持所需功能：{error}", retryable=False)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return DeliveryError(f"邮件服务器拒绝：{error.code} {error.message}", retryable=400 <= error.code < 500,
                             answer=f"{error.code} {error.message}")
    if isinstance(error, aiosmtplib.SMTPTimeoutError | TimeoutError):
        return DeliveryError("连接邮件服务器超时", retryable=True)
    return DeliveryError(f"无法连接邮件服务器：{type(error).__name__} {error}", retryable=True)


class AiosmtplibTransport:
    """The real transport: reuses open aiosmtplib connections (one message at a time on each) instead of
    connecting, greeting and quitting for every message.

    A connection that failed is closed, never reused; one idle longer than ``max_idle`` seconds is closed
    instead of reused; at most ``pool_size`` idle connections are kept. ``aclose()`` quits the idle ones.
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        ssl: bool = False,
        timeout: float = 30.0,
        max_idle: float = 15.0,
        pool_size: int = 64,
    ) -> None:
        self.host, self.port = host, port
        self._username, self._password = username, password
        self._starttls, self._ssl, self._timeout = starttls, ssl, timeout
        self._max_idle, self._pool_size = max_idle, pool_size
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> AiosmtplibTransport:
        """A transport for ``KAOHE_SMTP_*``."""
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=password,
            starttls=settings.smtp_starttls,
            ssl=settings.smtp_ssl,
            timeout=settings.smtp_timeout_seconds,
        )

    async def send(self, mail: OutgoingMail) -> str:
        """Send over an idle open connection or a new one; return the server's reply to the message data
        ("250 …"); any refusal becomes DeliveryError (4xx retryable, 5xx not) carrying the reply."""
        client: aiosmtplib.SMTP | None = None
        try:
            client = await self._checkout()
            refused, reply = await client.sendmail(mail.sender, list(mail.recipients), mail.data,
                                                   mail_options=["SMTPUTF8"] if mail.utf8 else None)
        except (aiosmtplib.SMTPException, OSError) as error:
            if client is not None:
                client.close()
            raise _smtp_error(error) from error
        await self._checkin(client)
        if refused:
            detail = "；".join(f"{rcpt}：{reply.code} {reply.message}" for rcpt, reply in refused.items())
            raise DeliveryError(f"邮件已发出，但部分收件人被拒收：{detail}", retryable=False, answer=detail)
        return f"250 {reply}"

    async def aclose(self) -> None:
        """Quit every idle connection (connections of an event loop that has ended are just dropped)."""
        idle, self._idle = self._idle, []
        if self._loop is not asyncio.get_running_loop():
            return
        for client, _ in idle:
            await _quit(client)

    async def _checkout(self) -> aiosmtplib.SMTP:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._idle, self._loop = [], loop
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and time.monotonic() - since <= self._max_idle:
                return client
            client.close()
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self._username,
            password=self._password,
            start_tls=self._starttls,
            use_tls=self._ssl,
            timeout=self._timeout,
        )
        try:
            await client.connect()
        except BaseException:
            client.close()
            raise
        return client

    async def _checkin(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self._pool_size and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            await _quit(client)


async def _quit(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(aiosmtplib.SMTPException, OSError):
        await client.quit()
    client.close()


def message_id_for(key: str, domain: str) -> str:
    """The Message-ID of the e-mail for idempotency ``key``: the same key always gives the same id."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.kaohe@{domain}>"


def parse_addresses(text: str) -> list[Address]:
    """Addresses from ``"名称 <a@b>, c@d"``; raises a non-retryable DeliveryError if any is malformed."""
    addresses = []
    for name, addr in getaddresses([text]):
        try:
            if "@" not in addr:
                raise ValueError(addr)
            addresses.append(Address(display_name=name, addr_spec=addr))
        except (ValueError, IndexError, HeaderParseError):
            raise DeliveryError(f"邮件地址无效：{text!r}", retryable=False) from None
    if not addresses:
        raise DeliveryError(f"邮件地址无效：{text!r}", retryable=False)
    return addresses


def build_email(message: Message, *, sender: str, date_header: str, reply_to: str | None = None,
                sender_name: str | None = None) -> EmailMessage:
    """The MIME message: a UTF-8 text part and an HTML part (multipart/alternative), RFC 2047 headers, RFC 2231
    attachment names, deterministic Message-ID. From carries the office's name (the message's ``sender_name``,
    else ``sender_name``, else the configured sender's own); Reply-To is the message's, else ``reply_to``."""
    configured = parse_addresses(sender)[0]
    from_address = Address(display_name=message.sender_name or sender_name or configured.display_name, addr_spec=configured.addr_spec)
    email = EmailMessage(policy=POLICY)
    email["Subject"] = message.subject
    email["From"] = from_address
    email["To"] = parse_addresses(message.recipient)
    answer_to = message.reply_to or reply_to
    if answer_to:
        email["Reply-To"] = parse_addresses(answer_to)
    email["Date"] = date_header
    email["Message-ID"] = message_id_for(message.key, from_address.domain or "localhost")
    email.set_content(message.body, charset="utf-8", cte="base64")
    email.add_alternative(html_body(message), subtype="html", charset="utf-8", cte="base64")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.mimetype.partition("/")
        if not subtype:
            maintype, subtype = "application", "octet-stream"
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return email


@lru_cache(maxsize=256)
def _mailboxes(text: str) -> tuple[Mailbox, ...]:
    return tuple(simple_mailboxes(text) or ((a.display_name, a.addr_spec) for a in parse_addresses(text)))


def compose_email(message: Message, *, sender: str, date_header: str, reply_to: str | None = None,
                  sender_name: str | None = None) -> OutgoingMail:
    """The e-mail of ``build_email`` as the bytes to send. Mails without attachments and with ASCII addresses are
    written directly (``kaohe.notifications.mail_bytes``); the others are built and flattened by the standard library."""
    configured = _mailboxes(sender)[0]
    name = message.sender_name or sender_name or configured[0]
    recipients = simple_mailboxes(message.recipient) or [(a.display_name, a.addr_spec) for a in parse_addresses(message.recipient)]
    answer_to = message.reply_to or reply_to
    replies = _mailboxes(answer_to) if answer_to else ()
    envelope = tuple(addr for _, addr in recipients)
    if message.attachments or not all(addr.isascii() for _, addr in (configured, *recipients, *replies)):
        email = build_email(message, sender=sender, date_header=date_header, reply_to=reply_to, sender_name=sender_name)
        utf8 = not "".join((configured[1], *envelope)).isascii()
        return OutgoingMail(configured[1], envelope, flatten_message(email, utf8=utf8), str(email["Message-ID"]), utf8)
    message_id = message_id_for(message.key, configured[1].rpartition("@")[2] or "localhost")
    head = [
        unstructured_line("Subject", message.subject),
        cached_address_line("From", ((name, configured[1]),)),
        address_line("To", recipients),
        cached_address_line("Reply-To", replies) if replies else "",
        unstructured_line("Date", date_header),
        f"Message-ID: {message_id}\r\n",
    ]
    return OutgoingMail(configured[1], envelope, alternative_mail(head, message.body, html_body(message)), message_id)


class EmailChannel:
    """Sends messages as e-mail through an injected :class:`SmtpTransport`."""

    name = "email"
    takes_idempotency_key = False
    per_minute_limit: int | None = None
    merges_into_digest = False

    def __init__(self, transport: SmtpTransport, *, sender: str, reply_to: str | None = None, sender_name: str | None = None,
                 clock: Clock = utc_now) -> None:
        try:
            parse_addresses(sender)
        except DeliveryError:
            raise ConfigError(f"发件人地址无效（KAOHE_SMTP_SENDER）：{sender!r}") from None
        if reply_to:
            try:
                parse_addresses(reply_to)
            except DeliveryError:
                raise ConfigError(f"回复地址无效（KAOHE_OFFICE_REPLY_TO）：{reply_to!r}") from None
        self._transport = transport
        self._sender = sender
        self._reply_to = reply_to
        self._sender_name = sender_name
        self._clock = clock

    async def send(self, message: Message) -> Receipt:
        """Build the e-mail and hand it to the transport; the receipt's remote_id is the Message-ID."""
        check_channel(self.name, message)
        mail = compose_email(message, sender=self._sender, date_header=format_datetime(self._clock()), reply_to=self._reply_to,
                             sender_name=self._sender_name)
        answer = await self._transport.send(mail)
        return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=mail.message_id,
                       answer=answer if isinstance(answer, str) else None)
