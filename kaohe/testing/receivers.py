"""Local receivers on 127.0.0.1 for tests, ``kaohe simulate`` and benchmarks.

``LocalSmtpReceiver`` is an aiosmtpd server that keeps every e-mail it receives (``ReceivedMail``).
``LocalWebhookReceiver`` answers like the WeCom, DingTalk and Feishu robots by path and like a generic
webhook otherwise, records every request (``ReceivedRequest``) and can be told to fail or delay requests.
Both pick a free port, work as context managers and stop on exit::

    with LocalSmtpReceiver() as smtp, LocalWebhookReceiver() as hooks:
        settings = Settings(**smtp.settings_overrides(), **hooks.settings_overrides())
"""

from __future__ import annotations

from kaohe.testing.http_receiver import LocalWebhookReceiver, ReceivedRequest
from kaohe.testing.smtp_receiver import LocalSmtpReceiver, ReceivedMail

__all__ = ["LocalSmtpReceiver", "LocalWebhookReceiver", "ReceivedMail", "ReceivedRequest"]
