"""Merge messages into digests (pure).

Two kinds of merging, both keyed by what the recipient sees:

- **group robots** (WeCom, DingTalk, Feishu) take about 20 messages a minute: every message for the
  same robot in a batch becomes one digest, split to fit the robot's size limit;
- **per-recipient digests** (e-mail and SMS, the channels people read one by one): the escalations
  for one recipient become one message listing every overdue item, and so do the reminders for one
  recipient (an office that owes several items). The outbox keeps one row per item; the digest
  carries their keys. Generic webhooks are programs that de-duplicate by each message's key: they
  keep receiving one request per item.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import TypedDict

from kaohe.notifications.formats import DIGEST_LIMITS, payload_size
from kaohe.notifications.message import Message

DIGEST_KIND = "digest"
ESCALATION_KINDS = frozenset({"escalation"})
REMINDER_KINDS = frozenset({"stage_opened", "upcoming", "due_today", "overdue"})
PER_RECIPIENT_CHANNELS = frozenset({"email", "sms"})
_PART_RESERVE = "（第999/999份，共9999条）\n\n"


def digest_class(kind: str) -> str | None:
    """The per-recipient digest a message kind joins: ``escalation``, ``reminder`` or None (sent alone)."""
    if kind in ESCALATION_KINDS:
        return "escalation"
    if kind in REMINDER_KINDS:
        return "reminder"
    return None


def digest_subject(count: int) -> str:
    """The heading of a robot digest of ``count`` messages."""
    return f"考核提醒汇总（{count}条）"


def recipient_digest_subject(klass: str, count: int) -> str:
    """The heading of a per-recipient digest of ``count`` items."""
    if klass == "escalation":
        return f"【逾期督办汇总】{count}项考核材料逾期未报送，请督促"
    return f"【考核提醒汇总】{count}项考核材料待报送"


def _digest_key(items: list[Message]) -> str:
    keys = "\n".join(m.key for m in items)
    return f"digest:{hashlib.sha256(keys.encode()).hexdigest()[:32]}"


class _Shared(TypedDict):
    sender_name: str | None
    reply_to: str | None
    mentions: tuple[str, ...]
    links: tuple[str, ...]


def _shared(items: list[Message]) -> _Shared:
    """What a digest keeps of its items: the first one's sender and Reply-To, every mention once."""
    mentions = tuple(dict.fromkeys(m for item in items for m in item.mentions))
    links = tuple(dict.fromkeys(link for item in items for link in item.links))
    return {"sender_name": items[0].sender_name, "reply_to": items[0].reply_to, "mentions": mentions, "links": links}


def _digest(items: list[Message], part: str) -> Message:
    first = items[0]
    body = part + "\n\n".join(f"{n}. {m.subject}\n{m.body.strip()}" for n, m in enumerate(items, 1)) + "\n"
    return Message(
        key=_digest_key(items),
        kind=DIGEST_KIND,
        channel=first.channel,
        recipient=first.recipient,
        subject=digest_subject(len(items)),
        body=body,
        attachments=tuple(a for m in items for a in m.attachments),
        **_shared(items),
    )


def _common_lines(bodies: list[list[str]]) -> tuple[int, int]:
    """How many leading and trailing lines every body shares (the greeting, the signature)."""
    shortest = min(len(lines) for lines in bodies)
    head = 0
    while head < shortest and all(lines[head] == bodies[0][head] for lines in bodies):
        head += 1
    tail = 0
    while tail < shortest - head and all(lines[-1 - tail] == bodies[0][-1 - tail] for lines in bodies):
        tail += 1
    return head, tail


def recipient_digest(klass: str, items: list[Message]) -> Message:
    """One message for one recipient listing every item: the shared greeting once, each item's own text
    numbered under its subject, the shared signature once."""
    bodies = [m.body.strip("\n").split("\n") for m in items]
    head, tail = _common_lines(bodies)
    greeting = "\n".join(bodies[0][:head]).strip("\n")
    signature = "\n".join(bodies[0][len(bodies[0]) - tail:]).strip("\n") if tail else ""
    parts = [greeting] if greeting else []
    intro = "以下事项已逾期，请督促有关单位尽快报送：" if klass == "escalation" else "以下考核事项请按时办理："
    parts.append(intro)
    for n, (message, lines) in enumerate(zip(items, bodies, strict=True), 1):
        own = "\n".join(lines[head:len(lines) - tail]).strip("\n")
        parts.append(f"{n}. {message.subject}\n{own}".rstrip())
    if signature:
        parts.append(signature)
    return Message(
        key=_digest_key(items),
        kind=DIGEST_KIND,
        channel=items[0].channel,
        recipient=items[0].recipient,
        subject=recipient_digest_subject(klass, len(items)),
        body="\n\n".join(parts) + "\n",
        attachments=tuple(a for m in items for a in m.attachments),
        **_shared(items),
        sms=(("class", klass), ("count", str(len(items))), *[(k, v) for k, v in items[0].sms if k in ("unit", "stage", "due")]),
    )


def _split(items: list[Message], limit: int) -> list[list[Message]]:
    """Greedy chunks, each the longest run from its start that fits (found by galloping, then bisection)."""
    chunks: list[list[Message]] = []
    start = 0
    while start < len(items):

        def fits(end: int) -> bool:
            return payload_size(_digest(items[start:end], _PART_RESERVE)) <= limit

        good, bad, step = start + 1, len(items) + 1, 1
        while good < len(items):
            probe = min(good + step, len(items))
            if not fits(probe):
                bad = probe
                break
            good, step = probe, step * 2
        while bad - good > 1:
            middle = (good + bad) // 2
            good, bad = (middle, bad) if fits(middle) else (good, middle)
        chunks.append(items[start:good])
        start = good
    return chunks


def merge_into_digests(
    messages: Iterable[Message], *, limits: Mapping[str, int] = DIGEST_LIMITS, per_recipient: bool = False
) -> list[tuple[Message, list[str]]]:
    """Robot digests per (channel, recipient) and, with ``per_recipient``, per-recipient digests on e-mail
    and SMS per (channel, recipient, digest class).

    Returns ``(message to send, keys of the original messages it carries)`` in order of first appearance.
    Messages that join no digest, and a group of one, come back unchanged. A single message too big
    for its robot on its own is returned as is (the channel refuses it, not retryable).
    """
    groups: dict[tuple[str, str, str], list[Message]] = {}
    order: list[tuple[str, str, str] | Message] = []
    for message in messages:
        if message.channel in limits:
            group_key = (message.channel, message.recipient, "")
        elif per_recipient and message.channel in PER_RECIPIENT_CHANNELS and (klass := digest_class(message.kind)) is not None:
            group_key = (message.channel, message.recipient, klass)
        else:
            order.append(message)
            continue
        if group_key not in groups:
            groups[group_key] = []
            order.append(group_key)
        groups[group_key].append(message)
    result: list[tuple[Message, list[str]]] = []
    for entry in order:
        if isinstance(entry, Message):
            result.append((entry, [entry.key]))
            continue
        channel, _, klass = entry
        items = groups[entry]
        if klass:
            result.append((recipient_digest(klass, items), [m.key for m in items]) if len(items) > 1 else (items[0], [items[0].key]))
            continue
        chunks = _split(items, limits[channel])
        for number, chunk in enumerate(chunks, 1):
            if len(chunk) == 1:
                result.append((chunk[0], [chunk[0].key]))
                continue
            part = f"（第{number}/{len(chunks)}份）\n\n" if len(chunks) > 1 else ""
            result.append((_digest(chunk, part), [m.key for m in chunk]))
    return result
