"""The JSON each group robot receives for a message, and how big it may be (pure, no I/O)."""

from __future__ import annotations

import json
from typing import Any

from kaohe.errors import DeliveryError
from kaohe.notifications.markup import link_split, markdown_escape, markdown_line
from kaohe.notifications.message import Message

WECOM_MARKDOWN_MAX_BYTES = 4096
WECOM_TEXT_MAX_BYTES = 2048
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


def plain_markdown(text: str) -> str:
    """``text`` with every character that markdown or HTML would act on replaced by its full-width form
    (see :func:`kaohe.notifications.markup.markdown_escape`)."""
    return markdown_escape(text)


def wecom_payload(message: Message) -> dict[str, Any]:
    """WeCom group robot: markdown (a bold subject line, the body escaped, links clickable); when someone is
    to be @-mentioned by mobile and the text fits, a ``text`` message with ``mentioned_mobile_list`` instead
    (WeCom mentions by mobile only in text messages)."""
    plain = f"{message.subject}\n{message.body.rstrip()}{_attachment_note(message)}"
    if message.mentions and len(plain.encode()) <= WECOM_TEXT_MAX_BYTES:
        return {"msgtype": "text", "text": {"content": plain, "mentioned_mobile_list": list(message.mentions)}}
    lines = f"{message.body.rstrip()}{_attachment_note(message)}".split("\n")
    content = f"**{markdown_escape(message.subject)}**\n" + "\n".join(markdown_line(line, message.links) for line in lines)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_payload(message: Message) -> dict[str, Any]:
    """DingTalk robot markdown with a ``title``; each non-empty line its own paragraph, escaped, links
    clickable; people to @-mention go in ``at.atMobiles`` and as ``@mobile`` in the text (DingTalk needs both)."""
    lines = [markdown_line(line, message.links) for line in f"{message.body.rstrip()}{_attachment_note(message)}".splitlines() if line.strip()]
    if message.mentions:
        lines.append(" ".join(f"@{mobile}" for mobile in message.mentions))
    text = "\n\n".join([f"#### {markdown_escape(message.subject)}", *lines])
    payload: dict[str, Any] = {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text}}
    if message.mentions:
        payload["at"] = {"atMobiles": list(message.mentions), "isAtAll": False}
    return payload


def feishu_payload(message: Message) -> dict[str, Any]:
    """Feishu rich-text ``post`` with the subject as title and one paragraph per line."""
    lines = f"{message.body.rstrip()}{_attachment_note(message)}".split("\n")
    paragraphs = [[{"tag": "a", "text": piece, "href": piece} if is_url else {"tag": "text", "text": piece}
                   for piece, is_url in link_split(line, message.links)] or [{"tag": "text", "text": ""}] for line in lines]
    return {"msg_type": "post", "content": {"post": {"zh_cn": {"title": message.subject, "content": paragraphs}}}}


def json_bytes(payload: dict[str, Any]) -> bytes:
    """The UTF-8 JSON the channels send."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def payload_size(message: Message) -> int:
    """Bytes counted against the channel's limit: WeCom's markdown content, the whole JSON body otherwise."""
    if message.channel == "wecom":
        payload = wecom_payload(message)
        return len(payload[payload["msgtype"]]["content"].encode())
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
