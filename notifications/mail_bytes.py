"""An e-mail written straight to the bytes sent after SMTP DATA, without building an ``EmailMessage``.

A reminder wave sends thousands of mails that differ only in the recipient, the Message-ID and the
bodies. The standard library parses and folds every header of every mail again (~0.8 ms for one To
with a Chinese name) and compiles a regular expression per multipart boundary. Here a header is
written as RFC 2047 encoded words (UTF-8, base64) folded at 76 characters, the lines of a wave's
Subject, From and Reply-To once per value, and each body part is base64 of the text with ``\\n`` line
ends, exactly as ``EmailMessage.set_content(text, charset="utf-8", cte="base64")`` encodes it. The
standard library parses the bytes back to the same headers and bodies (tested with hypothesis).

Only the common shape is written here: text and HTML alternatives, ASCII addresses. Mails with
attachments or with non-ASCII addresses are built with the standard library (``email.build_email``).
"""

from __future__ import annotations

import base64
import random
import re
import sys
from collections.abc import Sequence
from functools import lru_cache

MAX_LINE = 76
"""Header lines holding encoded words are at most 76 characters (RFC 2047 section 2)."""
MAX_WORD = 75
_WORD_OVERHEAD = len("=?utf-8?b??=")
_ATOM_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?: [A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*")
_PLAIN_TEXT = re.compile(r"[\x21-\x7e]+(?: [\x21-\x7e]+)*")
_ADDR_SPEC = re.compile(r"[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
_NAME = r"[^\x00-\x20\x7f\"(),.:;<>@\[\]\\]+(?: [^\x00-\x20\x7f\"(),.:;<>@\[\]\\]+)*"
_SIMPLE_ADDRESS = re.compile(rf"[ \t]*(?:(?P<name>{_NAME})[ \t]*<(?P<angle>{_ADDR_SPEC.pattern})>|(?P<bare>{_ADDR_SPEC.pattern}))[ \t]*")
_BLANKS = re.compile(r"[ \t]+")
_BOUNDARY_WIDTH = len(repr(sys.maxsize - 1))

Mailbox = tuple[str, str]
"""(display name, addr-spec) of one address; the display name may be empty."""


def simple_mailboxes(text: str) -> list[Mailbox] | None:
    """``"名称 <a@b>, c@d"`` as mailboxes when every address is a plain one (a name without ASCII specials or
    runs of spaces, a dot-atom addr-spec), which ``email.utils.getaddresses`` reads the same way; else None."""
    found: list[Mailbox] = []
    for part in text.split(","):
        match = _SIMPLE_ADDRESS.fullmatch(part)
        if match is None:
            return None
        if match["bare"]:
            found.append(("", match["bare"]))
        else:
            found.append((match["name"], match["angle"]))
    return found


class _Folder:
    """Collects one header's tokens into lines of at most MAX_LINE characters, a fold being CRLF and a space."""

    def __init__(self, name: str) -> None:
        self.lines: list[str] = []
        self.line = f"{name}:"
        self.fresh = True

    def room(self) -> int:
        return MAX_LINE - len(self.line) - 1

    def fold(self) -> None:
        self.lines.append(self.line)
        self.line, self.fresh = "", True

    def add(self, token: str) -> None:
        if not self.fresh and len(token) > self.room():
            self.fold()
        self.line += " " + token
        self.fresh = False

    def add_words(self, text: str) -> None:
        """``text`` as encoded words, each filling what is left of its line (the folds between them are not text)."""
        if not self.fresh and self.room() < _WORD_OVERHEAD + 8:
            self.fold()
        room = min(self.room(), MAX_WORD)
        chunk = bytearray()
        for char in text:
            data = char.encode()
            if chunk and _WORD_OVERHEAD + 4 * -(-(len(chunk) + len(data)) // 3) > room:
                self.add(_word(chunk))
                chunk = bytearray()
                room = min(MAX_LINE - 1, MAX_WORD)
            chunk += data
        if chunk:
            self.add(_word(chunk))

    def text(self) -> str:
        return "\r\n".join([*self.lines, self.line]) + "\r\n"


def _word(data: bytes | bytearray) -> str:
    return f"=?utf-8?b?{base64.b64encode(data).decode('ascii')}?="


def _phrase(folder: _Folder, text: str) -> None:
    if _ATOM_PHRASE.fullmatch(text) and "=?" not in text and all(len(word) <= 60 for word in text.split(" ")):
        for word in text.split(" "):
            folder.add(word)
        return
    whole = _word(text.encode())
    if len(whole) <= MAX_WORD:  # one word where it fits: Python's address parser puts a space between two encoded words
        folder.add(whole)
    else:
        folder.add_words(text)


@lru_cache(maxsize=1024)
def unstructured_line(name: str, value: str) -> str:
    """The header line (folded, CRLF-terminated) of an unstructured header such as Subject."""
    if any(c in value for c in "\r\n"):
        raise ValueError("Header values may not contain linefeed or carriage return characters")
    folder = _Folder(name)
    if _PLAIN_TEXT.fullmatch(value) and "=?" not in value and all(len(word) <= 60 for word in value.split(" ")):
        for word in value.split(" "):
            folder.add(word)
    elif value:
        folder.add_words(value)
    return folder.text()


def address_line(name: str, mailboxes: Sequence[Mailbox]) -> str:
    """The header line (folded, CRLF-terminated) of an address header such as To; addr-specs must be ASCII.
    A display name is written with each run of spaces and tabs as one space, trimmed."""
    folder = _Folder(name)
    for index, (name, addr_spec) in enumerate(mailboxes):
        separator = "," if index < len(mailboxes) - 1 else ""
        display_name = _BLANKS.sub(" ", name).strip(" ")  # as the standard library reads a display name back
        if display_name:
            _phrase(folder, display_name)
            folder.add(f"<{addr_spec}>{separator}")
        else:
            folder.add(f"{addr_spec}{separator}")
    return folder.text()


cached_address_line = lru_cache(maxsize=1024)(address_line)
"""``address_line`` remembered per value (From and Reply-To repeat in every mail of a wave); takes a tuple."""


def base64_body(text: str) -> bytes:
    """``text`` as ``set_content(text, charset="utf-8", cte="base64")`` encodes it: UTF-8, lines joined with ``\\n``
    and ended by one, base64 in lines of 76 characters, each line ended by CRLF."""
    data = b"\n".join(text.encode("utf-8").splitlines()) + b"\n"
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def new_boundary() -> str:
    """A multipart boundary of the standard library's shape; it never occurs in base64 lines."""
    return f"==============={random.randrange(sys.maxsize):0{_BOUNDARY_WIDTH}d}=="


def alternative_mail(head: Sequence[str], text: str, html: str, *, boundary: str | None = None) -> bytes:
    """The whole mail: the header lines ``head`` (each folded and CRLF-terminated), MIME-Version, and a
    multipart/alternative of ``text`` and ``html``, each a UTF-8 base64 part."""
    mark = boundary or new_boundary()
    return b"".join((
        "".join(head).encode("ascii"),
        f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="{mark}"\r\n\r\n'
        f'--{mark}\r\nContent-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'.encode("ascii"),
        base64_body(text),
        f'\r\n--{mark}\r\nContent-Type: text/html; charset="utf-8"\r\nContent-Transfer-Encoding: base64\r\n\r\n'.encode("ascii"),
        base64_body(html),
        f"\r\n--{mark}--\r\n".encode("ascii"),
    ))
