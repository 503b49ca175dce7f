"""Messages are plain frozen data with ASCII idempotency keys."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.notifications import Message, build_message, message_key, render


def test_build_message_carries_the_rendered_subject_and_body(context: dict[str, Any]) -> None:
    message = build_message("overdue", context, key="k1", channel="wecom", recipient="robot")
    assert (message.subject, message.body) == render("overdue", context)
    assert (message.key, message.kind, message.channel, message.recipient, message.attachments) == ("k1", "overdue", "wecom", "robot", ())


def test_message_is_frozen() -> None:
    message = Message("k", "upcoming", "email", "a@example.cn", "主题", "正文\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.body = "改"  # type: ignore[misc]


def test_message_key_example() -> None:
    assert message_key(2018, "self_report", "弥勒市财政局", "upcoming", 1) == "2018:self_report:%E5%BC%A5%E5%8B%92%E5%B8%82%E8%B4%A2%E6%94%BF%E5%B1%80:upcoming:1"


parts = st.text(min_size=0, max_size=8)


@given(parts, parts, parts, parts, st.integers(0, 5), parts, parts, parts, parts, st.integers(0, 5))
def test_message_keys_are_ascii_and_distinct_for_distinct_fields(
    c1: str, s1: str, u1: str, k1: str, w1: int, c2: str, s2: str, u2: str, k2: str, w2: int
) -> None:
    first, second = message_key(c1, s1, u1, k1, w1), message_key(c2, s2, u2, k2, w2)
    assert first.isascii() and second.isascii()
    assert (first == second) == ((c1, s1, u1, k1, w1) == (c2, s2, u2, k2, w2))
