"""Generic webhook: JSON body, Idempotency-Key header, 2xx success."""

from __future__ import annotations

import asyncio
import base64

import httpx
import pytest
from notify_support import send

from kaohe.errors import DeliveryError
from kaohe.notifications import Attachment, Message, Receipt, WebhookChannel
from kaohe.testing.receivers import LocalWebhookReceiver


def hook_message(hooks: LocalWebhookReceiver, key: str = "2018:self_report:czj:overdue:1") -> Message:
    attachment = Attachment("督办单.pdf", b"%PDF-1.4", "application/pdf")
    return Message(key, "overdue", "webhook", hooks.url + "/hooks/kaohe", "【逾期提醒】自查自评已逾期2天", "正文\n", (attachment,))


def test_posts_the_message_with_its_idempotency_key(hooks: LocalWebhookReceiver) -> None:
    receipt = send(WebhookChannel, hook_message(hooks))
    [request] = hooks.requests
    assert request.path == "/hooks/kaohe"
    assert request.headers["idempotency-key"] == "2018:self_report:czj:overdue:1"
    assert request.json["subject"] == "【逾期提醒】自查自评已逾期2天"
    assert request.json["kind"] == "overdue"
    [attachment] = request.json["attachments"]
    assert attachment["filename"] == "督办单.pdf"
    assert base64.b64decode(attachment["content_base64"]) == b"%PDF-1.4"
    assert receipt.remote_id is not None
    assert WebhookChannel.takes_idempotency_key


def test_a_resend_with_the_same_key_is_recognised_by_the_receiver(hooks: LocalWebhookReceiver) -> None:
    async def twice() -> list[Receipt]:
        async with httpx.AsyncClient(trust_env=False) as http:
            channel = WebhookChannel(http)
            return [await channel.send(hook_message(hooks)), await channel.send(hook_message(hooks))]

    first, second = asyncio.run(twice())
    assert first.remote_id == second.remote_id
    assert hooks.count == 2


def test_non_ascii_key_is_percent_encoded_in_the_header(hooks: LocalWebhookReceiver) -> None:
    send(WebhookChannel, hook_message(hooks, key="2018:自查:财政局"))
    assert hooks.requests[0].headers["idempotency-key"] == "2018:%E8%87%AA%E6%9F%A5:%E8%B4%A2%E6%94%BF%E5%B1%80"


@pytest.mark.parametrize("status", [200, 201, 202])
def test_any_2xx_is_success(hooks: LocalWebhookReceiver, status: int) -> None:
    hooks.respond_next(1, status=status, body={"id": "remote-7"})
    assert send(WebhookChannel, hook_message(hooks)).remote_id == "remote-7"


@pytest.mark.parametrize(
    ("status", "retryable"), [(408, True), (429, True), (500, True), (503, True), (400, False), (401, False), (404, False), (409, False)]
)
def test_other_statuses_fail(hooks: LocalWebhookReceiver, status: int, retryable: bool) -> None:
    hooks.fail_next(1, status=status)
    with pytest.raises(DeliveryError, match=f"HTTP {status}") as caught:
        send(WebhookChannel, hook_message(hooks))
    assert caught.value.retryable is retryable


def test_invalid_url_is_not_retryable() -> None:
    message = Message("k", "overdue", "webhook", "ftp://example.invalid/x", "主题", "正文\n")
    with pytest.raises(DeliveryError, match="地址无效") as caught:
        send(WebhookChannel, message)
    assert not caught.value.retryable
