"""Merge messages for the same group robot into digests that fit the robot's size limit (pure)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from kaohe.notifications.formats import DIGEST_LIMITS, payload_size
from kaohe.notifications.message import Message

DIGEST_KIND = "digest"
_PART_RESERVE = "（第999/999份，共9999条）\n\n"


def digest_subject(count: int) -> str:
    """The heading of a digest of ``count`` messages."""
    return f"考核提醒汇总（{count}条）"


def _digest(items: list[Message], part: str) -> Message:
    first = items[0]
    keys = "\n".join(m.key for m in items)
    body = part + "\n\n".join(f"{n}. {m.subject}\n{m.body.strip()}" for n, m in enumerate(items, 1)) + "\n"
    return Message(
        key=f"digest:{hashlib.sha256(keys.encode()).hexdigest()[:32]}",
        kind=DIGEST_KIND,
        channel=first.channel,
        recipient=first.recipient,
        subject=digest_subject(len(items)),
        body=body,
        attachments=tuple(a for m in items for a in m.attachments),
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
    messages: Iterable[Message], *, limits: Mapping[str, int] = DIGEST_LIMITS
) -> list[tuple[Message, list[str]]]:
    """One digest per (channel, recipient) of a merging channel, split to fit ``limits`` bytes.

    Returns ``(message to send, keys of the original messages it carries)`` in order of first appearance.
    Messages of other channels, and a group of one, come back unchanged. A single message too big
    for its robot on its own is returned as is (the channel refuses it, not retryable).
    """
    groups: dict[tuple[str, str], list[Message]] = {}
    order: list[tuple[str, str] | Message] = []
    for message in messages:
        if message.channel not in limits:
            order.append(message)
            continue
        group_key = (message.channel, message.recipient)
        if group_key not in groups:
            groups[group_key] = []
            order.append(group_key)
        groups[group_key].append(message)
    result: list[tuple[Message, list[str]]] = []
    for entry in order:
        if isinstance(entry, Message):
            result.append((entry, [entry.key]))
            continue
        chunks = _split(groups[entry], limits[entry[0]])
        for number, chunk in enumerate(chunks, 1):
            if len(chunk) == 1:
                result.append((chunk[0], [chunk[0].key]))
                continue
            part = f"（第{number}/{len(chunks)}份）\n\n" if len(chunks) > 1 else ""
            result.append((_digest(chunk, part), [m.key for m in chunk]))
    return result
