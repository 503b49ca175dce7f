"""The JSON each group robot receives for a message, and how big it may be (pure, no I/O)."""

from __future__ import annotations

import json
from typing import Any

from kaohe.errors import DeliveryError
from kaohe.notifications.message import Message

WECOM_MARKDOWN_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 20000
FEISHU_MAX_BYTES = 20 * 1024

DIGEST_LIMITS: dict[str, int] = {
    "wecom": WECOM_MARKDOWN_MAX_BYTES,
    "dingtalk": DINGTALK_MAX_BYTES,
    "feishu": FEISHU_MAX_BYTES,
}


def _attachment_note(message: Message) -> str:
    if not message.attachments:
        return ""
    names = "、".join(a.filename for a in message.attachments)
    return f"\n附件（请通过邮件或系统查收）：{names}"


_MARKDOWN_LOOKALIKES = str.maketrans({
    "[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "｀", "#": "＃", "|": "｜", "~": "～", "\\": "＼",
})


def plain_markdown(text: str) -> str:
    """``text`` with every character that markdown or HTML would act on (links, images, tags, emphasis,
    headings, code, tables) replaced by its full-width form, so a robot shows it as typed and nothing in it
    becomes a link. Full-width forms, not backslashes: the robots' markdown dialects do not all honour
    backslash escapes."""
    return text.translate(_MARKDOWN_LOOKALIKES)


def wecom_payload(message: Message) -> dict[str, Any]:
    """WeCom group-robot markdown: a bold subject line, then the body, both as plain text."""
    body = plain_markdown(f"{message.body.rstrip()}{_attachment_note(message)}")
    content = f"**{plain_markdown(message.subject)}**\n{body}"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(message: Message) -> dict[str, Any]:
    """DingTalk robot markdown with a ``title``; each non-empty line becomes its own paragraph, as plain text."""
    lines = [plain_markdown(line) for line in f"{message.body.rstrip()}{_attachment_note(message)}".splitlines() if line.strip()]
    text = "\n\n".join([f"#### {plain_markdown(message.subject)}", *lines])
    return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}


def feishu_payload(message: Message) -> dict[str, Any]:
    """Feishu rich-text ``post`` with the subject as title and one paragraph per line."""
    lines = f"{message.body.rstrip()}{_attachment_note(message)}".split("\n")
    paragraphs = [[{"tag": "text", "text": line}] for line in lines]
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.subject, "content": paragraphs}}}}


def json_bytes(payload: dict[str, Any]) -> bytes:
    """The UTF-8 JSON the channels send."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def payload_size(message: Message) -> int:
    """Bytes counted against the channel's limit: WeCom's markdown content, the whole JSON body otherwise."""
    if message.channel == "wecom":
        return len(wecom_payload(message)["markdown"]["content"].encode())
    if message.channel == "dingtalk":
        return len(json_bytes(dingtalk_payload(message)))
    if message.channel == "feishu":
        return len(json_bytes(feishu_payload(message))) + 96
    return len(message.subject.encode()) + len(message.body.encode())


def check_size(message: Message) -> None:
    """Raise a non-retryable DeliveryError when the message is too big for its robot."""
    limit = DIGEST_LIMITS.get(message.channel)
    if limit is not None and (size := payload_size(message)) > limit:
        raise DeliveryError(f"消息过长：{size} 字节，{message.channel} 最多 {limit} 字节", retryable=False)
