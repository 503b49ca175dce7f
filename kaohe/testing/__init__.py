"""Doubles of the outside world for the tests, ``kaohe simulate`` and the benchmarks; never production code.

- ``receivers``: ``LocalSmtpReceiver`` and ``LocalWebhookReceiver`` (e-mail and the WeCom/DingTalk/Feishu
  robots and webhooks on 127.0.0.1), ``sms_receiver.LocalSmsReceiver`` (the Aliyun and Tencent Cloud SMS APIs),
  ``smtp_sink.LeanSmtpSink`` (a cheap SMTP server for the benchmarks);
- ``evaluator_server.ReferenceServer``: a real third-party evaluator over HTTP with deterministic results
  (``synthetic_reviews``) and fault injection (``python -m kaohe.testing.evaluator_server --port 8787``);
- ``simulated_scores``: synthetic score sheets of a scheme's scoring specification.

Production modules (everything under ``kaohe/`` but ``kaohe/testing`` and ``kaohe/simulate``, and
``flows/``, ``tasks/``, ``models/``, ``notifications/``) never import this package; a test checks it.
"""
