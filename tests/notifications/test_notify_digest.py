"""Messages to one robot merge into digests that keep every key and fit the robot's size limit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.notifications import Message, merge_into_digests
from kaohe.notifications.formats import DIGEST_LIMITS, payload_size


def reminder(n: int, channel: str = "wecom", recipient: str = "group-a", body_chars: int = 60) -> Message:
    body = f"第{n}个单位：\n" + "请按时报送自查报告和自评分表。" * (body_chars // 15 + 1) + "\n"
    return Message(f"key-{channel}-{recipient}-{n}", "upcoming", channel, recipient, f"【考核提醒】单位{n}", body)


def test_messages_for_one_group_become_one_digest_listing_all() -> None:
    messages = [reminder(n) for n in range(1, 4)]
    [(digest, keys)] = merge_into_digests(messages)
    assert keys == ["key-wecom-group-a-1", "key-wecom-group-a-2", "key-wecom-group-a-3"]
    assert digest.subject == "考核提醒汇总（3条）"
    assert (digest.channel, digest.recipient, digest.kind) == ("wecom", "group-a", "digest")
    for n in range(1, 4):
        assert f"{n}. 【考核提醒】单位{n}" in digest.body


def test_groups_by_channel_and_recipient_and_keeps_first_appearance_order() -> None:
    messages = [reminder(1, "dingtalk", "g1"), reminder(2, "wecom", "g1"), reminder(3, "dingtalk", "g1"), reminder(4, "dingtalk", "g2"), reminder(5, "dingtalk", "g2")]
    result = merge_into_digests(messages)
    assert [(m.channel, m.recipient, keys) for m, keys in result] == [
        ("dingtalk", "g1", ["key-dingtalk-g1-1", "key-dingtalk-g1-3"]),
        ("wecom", "g1", ["key-wecom-g1-2"]),
        ("dingtalk", "g2", ["key-dingtalk-g2-4", "key-dingtalk-g2-5"]),
    ]


def test_single_message_and_non_robot_channels_pass_through_unchanged() -> None:
    single = reminder(1, "feishu", "g")
    mails = [reminder(2, "email", "a@example.cn"), reminder(3, "email", "a@example.cn")]
    result = merge_into_digests([single, *mails])
    assert result == [(single, [single.key]), (mails[0], [mails[0].key]), (mails[1], [mails[1].key])]


def test_wecom_digest_is_split_under_4096_bytes() -> None:
    messages = [reminder(n, body_chars=400) for n in range(1, 31)]
    result = merge_into_digests(messages)
    assert len(result) > 1
    assert [k for _, keys in result for k in keys] == [m.key for m in messages]
    for number, (digest, keys) in enumerate(result, 1):
        assert payload_size(digest) <= 4096
        if len(keys) > 1:
            assert digest.subject == f"考核提醒汇总（{len(keys)}条）"
            assert digest.body.startswith(f"（第{number}/{len(result)}份）")


def test_digest_keys_are_stable() -> None:
    messages = [reminder(n) for n in range(1, 5)]
    assert merge_into_digests(messages) == merge_into_digests(messages)
    assert merge_into_digests(messages)[0][0].key != merge_into_digests(messages[:3])[0][0].key


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["wecom", "dingtalk", "feishu", "email"]), st.sampled_from(["g1", "g2"]), st.integers(0, 3000)),
        max_size=40,
    )
)
def test_every_key_is_carried_exactly_once_and_every_digest_fits(spec: list[tuple[str, str, int]]) -> None:
    messages = [reminder(n, channel, recipient, size) for n, (channel, recipient, size) in enumerate(spec)]
    result = merge_into_digests(messages)
    carried = [key for _, keys in result for key in keys]
    assert sorted(carried) == sorted(m.key for m in messages)
    for digest, keys in result:
        if len(keys) > 1:
            assert payload_size(digest) <= DIGEST_LIMITS[digest.channel]
            assert digest.subject == f"考核提醒汇总（{len(keys)}条）"
