"""Building many similar e-mails: header objects and their folded (RFC 2047 encoded) lines made once and reused.

A wave of reminders repeats the same From, Reply-To and Subject in hundreds of mails, and the standard
library parses and folds each Chinese header again for every one of them (most of the CPU an e-mail
costs). ``POLICY`` is ``email.policy.default`` with a header factory that keeps, for a bounded number of
recent values, the parsed header of a (name, value) and the folded line of a (name, value, line policy):
the bytes on the wire are exactly those the standard library produces. Reminder waves (no attachments) are
written without ``EmailMessage`` at all (``mail_bytes``); this policy serves the mails built by the standard library.
"""

from __future__ import annotations

from collections.abc import Hashable
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy, default
from typing import Any

LIMIT = 4096
"""Entries kept per cache; a cache that reaches it starts again (unique values, e.g. Message-ID, pass through)."""

_FOLDED: dict[Hashable, str] = {}


def _remember(cache: dict[Hashable, Any], key: Hashable, value: Any) -> None:
    if len(cache) >= LIMIT:
        cache.clear()
    cache[key] = value


class _ReusedFolding(BaseHeader):
    """The last base of every header class this module's registry makes: ``fold`` remembers its result."""

    def fold(self, *, policy: Any) -> str:
        key = (self.name, str(self), policy.max_line_length, policy.linesep, policy.utf8)
        folded = _FOLDED.get(key)
        if folded is None:
            folded = super().fold(policy=policy)
            _remember(_FOLDED, key, folded)
        return folded


def _value_key(value: object) -> Hashable | None:
    if isinstance(value, str):
        return ("s", value)
    if isinstance(value, Address):
        return ("a", value.display_name, value.username, value.domain)
    if isinstance(value, list | tuple) and value and all(isinstance(item, Address) for item in value):
        return ("l", *((a.display_name, a.username, a.domain) for a in value))
    return None


class ReusedHeaders(HeaderRegistry):
    """A header factory that makes each header class once and each header of a (name, value) once."""

    def __init__(self) -> None:
        super().__init__(base_class=_ReusedFolding)
        self._classes: dict[str, type] = {}
        self._made: dict[Hashable, BaseHeader] = {}

    def __getitem__(self, name: str) -> type:
        known = self._classes.get(name.lower())
        if known is None:
            known = self._classes[name.lower()] = super().__getitem__(name)
        return known

    def __call__(self, name: str, value: Any) -> BaseHeader:
        key = _value_key(value)
        if key is None:
            return self[name](name, value)  # type: ignore[no-any-return]
        made = self._made.get((name, key))
        if made is None:
            made = self[name](name, value)
            _remember(self._made, (name, key), made)
        return made


POLICY: EmailPolicy[EmailMessage] = default.clone(header_factory=ReusedHeaders())
"""``email.policy.default`` with headers made and folded once per distinct value."""
