"""SMS: request signing checked against the providers' published example and their own SDKs, and
templated messages (no free text) with a dedupe key, sent to the local fake SMS server over real HTTP."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import DeliveryError
from kaohe.notifications import Message
from kaohe.notifications.sms import SmsChannel, aliyun_request, aliyun_signature, dedupe_key, tc3_authorization
from kaohe.testing.sms_receiver import LocalSmsReceiver

NOW = dt.datetime(2019, 1, 28, 1, 0, tzinfo=dt.timezone.utc)
TEMPLATES = {"overdue": "SMS_190000001", "digest_escalation": "SMS_190000002"}


def overdue(key: str = "mile-2018:self_check:ML-A03:overdue:overdue@2019-01-28:sms") -> Message:
    return Message(key=key, kind="overdue", channel="sms", recipient="13800000003", subject="【逾期提醒】不会作为短信发出",
                   body="正文不会作为短信发出", sms=(("unit", "弥勒市某局（三）"), ("stage", "自查自评"), ("due", "1月23日"), ("days", "3")))


def test_aliyun_signature_matches_the_published_example() -> None:
    # The worked example of Aliyun's SMS API signature documentation (AccessKeySecret "testSecret", GET).
    params = {"AccessKeyId": "testId", "Action": "SendSms", "Format": "XML", "OutId": "123", "PhoneNumbers": "15300000001",
              "RegionId": "cn-hangzhou", "SignName": "阿里云短信测试专用", "SignatureMethod": "HMAC-SHA1",
              "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "SignatureVersion": "1.0", "TemplateCode": "SMS_71390007",
              "TemplateParam": '{"customer":"test"}', "Timestamp": "2017-07-12T02:42:19Z", "Version": "2017-05-25"}
    assert aliyun_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


@given(st.dictionaries(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12),
                       st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30), min_size=1, max_size=6),
       st.sampled_from(["GET", "POST"]))
def test_aliyun_signature_agrees_with_the_official_sdk(params: dict[str, str], method: str) -> None:
    from aliyunsdkcore.auth.algorithm import sha_hmac1
    from aliyunsdkcore.auth.composer import rpc_signature_composer as composer

    string_to_sign = getattr(composer, "__compose_string_to_sign")(method, params)
    assert aliyun_signature(params, "s3cr3t/+=", method) == sha_hmac1.get_sign_string(string_to_sign, "s3cr3t/+=&")


def test_aliyun_request_is_signed_over_every_parameter() -> None:
    form = aliyun_request(overdue(), key_id="id", secret="secret", sign_name="弥勒考核", template="SMS_1", now=NOW, nonce="n-1")
    signature = form.pop("Signature")
    assert signature == aliyun_signature(form, "secret")
    assert form["Timestamp"] == "2019-01-28T01:00:00Z" and form["OutId"] == dedupe_key(overdue().key)
    assert json.loads(form["TemplateParam"]) == {"unit": "弥勒市某局（三）", "stage": "自查自评", "due": "1月23日", "days": "3"}


@pytest.mark.parametrize("payload_params", [{"PhoneNumberSet": ["+8613800000003"], "TemplateParamSet": ["自查自评", "3"]}, {}])
def test_tc3_authorization_agrees_with_the_official_sdk(monkeypatch: pytest.MonkeyPatch, payload_params: dict[str, object]) -> None:
    from tencentcloud.common.abstract_client import AbstractClient
    from tencentcloud.common.credential import Credential
    from tencentcloud.common.http.request import RequestInternal

    class SmsClient(AbstractClient):  # type: ignore[misc]
        _apiVersion = "2021-01-11"
        _endpoint = "sms.tencentcloudapi.com"
        _service = "sms"

    monkeypatch.setattr(time, "time", lambda: 1548637200.25)
    client = SmsClient(Credential("AKIDexample", "secretexample"), "ap-guangzhou")
    request = RequestInternal("sms.tencentcloudapi.com", "POST", "/")
    client._build_req_with_tc3_signature("SendSms", dict(payload_params), request)
    ours = tc3_authorization(secret_id="AKIDexample", secret_key="secretexample", payload=request.data, timestamp=1548637200,
                             host=request.header["Host"], content_type=request.header["Content-Type"])
    assert ours == request.header["Authorization"]


def _send(receiver: LocalSmsReceiver, *messages: Message, secret: str | None = None) -> list[object]:
    async def go() -> list[object]:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            channel = SmsChannel(http, provider=receiver.provider, key_id=receiver.key_id, secret=secret or receiver.secret, sign_name="弥勒考核",
                                 templates=TEMPLATES, app_id="1400000000", base_url=receiver.url, clock=lambda: NOW)
            results: list[object] = []
            for message in messages:
                try:
                    results.append(await channel.send(message))
                except DeliveryError as error:
                    results.append(error)
            return results

    return asyncio.run(go())


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_templated_sms_arrives_once_per_dedupe_key(provider: str) -> None:
    with LocalSmsReceiver(provider=provider) as sms:
        first, again = _send(sms, overdue(), overdue())
    assert sms.refused == [] and sms.duplicates == 1
    [received] = sms.messages
    assert received.template == "SMS_190000001" and received.sign_name == "弥勒考核"
    assert received.dedupe_key == dedupe_key(overdue().key)
    params = received.params if isinstance(received.params, list) else list(received.params.values())
    assert params == ["弥勒市某局（三）", "自查自评", "1月23日", "3"]
    assert received.phone in ("13800000003", "+8613800000003")
    assert first.answer.startswith("HTTP 200 Code=O") and first.remote_id  # type: ignore[union-attr]


@pytest.mark.parametrize("provider", ["aliyun", "tencent"])
def test_a_wrong_secret_and_a_missing_template_are_refused_for_good(provider: str) -> None:
    with LocalSmsReceiver(provider=provider, secret="the-real-secret") as sms:
        [forged] = _send(sms, overdue(), secret="another-secret")
        [unknown] = _send(sms, Message("k", "results", "sms", "13800000003", "s", "b", sms=(("grade", "合格"),)))
    assert isinstance(forged, DeliveryError) and not forged.retryable and "Signature" in str(forged)
    assert isinstance(unknown, DeliveryError) and not unknown.retryable and "results" in str(unknown)
    assert sms.messages == []
