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


def _batch(receiver: LocalSmsReceiver, messages: list[Message]) -> list[object]:
    """The messages grouped as the dispatcher groups them (by batch key, at most ``batch_limit``), each group in one send_many."""
    async def go() -> list[object]:
        async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
            channel = SmsChannel(http, provider=receiver.provider, key_id=receiver.key_id, secret=receiver.secret, sign_name="弥勒考核",
                                 templates=TEMPLATES, app_id="1400000000", base_url=receiver.url, clock=lambda: NOW)
            groups: dict[object, list[Message]] = {}
            for message in messages:
                groups.setdefault(channel.batch_key(message), []).append(message)
            results: dict[str, object] = {}
            for group in groups.values():
                for start in range(0, len(group), channel.batch_limit):
                    part = group[start:start + channel.batch_limit]
                    results.update(zip((m.key for m in part), await channel.send_many(part), strict=True))
            return [results[m.key] for m in messages]

    return asyncio.run(go())


def _wave(count: int, *, same_params: bool = False) -> list[Message]:
    return [Message(key=f"mile-2018:self_check:U{n:04d}:overdue:overdue@2019-01-28:sms", kind="overdue", channel="sms",
                    recipient=f"138{n:08d}", subject="s", body="b",
                    sms=(("unit", "各单位" if same_params else f"弥勒市某局{n}"), ("stage", "自查自评"), ("due", "1月23日"), ("days", "3")))
            for n in range(count)]


def test_aliyun_sends_a_wave_in_batches_of_100_with_each_numbers_own_parameters() -> None:
    wave = _wave(250)
    with LocalSmsReceiver(provider="aliyun") as sms:
        results = _batch(sms, wave)
    assert sms.calls == 3 and sms.refused == [] and sms.duplicates == 0
    assert all(not isinstance(r, DeliveryError) and r.answer and "SendBatchSms" in r.answer for r in results)  # type: ignore[union-attr]
    received = {m.phone: m for m in sms.messages}
    assert set(received) == {m.recipient for m in wave}
    assert all(received[m.recipient].params == dict(m.sms) and received[m.recipient].template == "SMS_190000001" for m in wave)


def test_aliyun_a_batch_refused_for_one_bad_number_is_halved_until_only_that_number_fails() -> None:
    wave = _wave(5)
    with LocalSmsReceiver(provider="aliyun") as sms:
        sms.invalid_numbers.add(wave[2].recipient)
        results = _batch(sms, wave)
    bad = results[2]
    assert isinstance(bad, DeliveryError) and not bad.retryable and "MOBILE_NUMBER_ILLEGAL" in str(bad)
    assert all(not isinstance(r, DeliveryError) for i, r in enumerate(results) if i != 2)
    assert sorted(m.phone for m in sms.messages) == sorted(m.recipient for i, m in enumerate(wave) if i != 2)
    assert sms.calls == 5  # 5 refused; 2 sent, 3 refused; 1 sent, 2 refused; 1 sent, 1 refused


def test_aliyun_a_batch_refused_for_a_passing_reason_is_retried_later_as_a_whole() -> None:
    wave = _wave(4)
    with LocalSmsReceiver(provider="aliyun") as sms:
        sms.fail_next(1, "isv.BUSINESS_LIMIT_CONTROL")
        results = _batch(sms, wave)
    assert all(isinstance(r, DeliveryError) and r.retryable for r in results) and sms.calls == 1 and sms.messages == []


def test_tencent_sends_numbers_that_share_template_and_parameters_in_one_call_and_reports_each() -> None:
    shared, own = _wave(300, same_params=True), _wave(3)
    own = [Message(**{**m.__dict__, "key": m.key + ":own", "recipient": f"139{n:08d}"}) for n, m in enumerate(own)]
    with LocalSmsReceiver(provider="tencent") as sms:
        sms.invalid_numbers.add(f"+86{shared[7].recipient}")
        results = _batch(sms, shared + own)
    assert sms.calls == 2 + 3  # 200 + 100 numbers sharing parameters, then three with their own
    failed = [r for r in results if isinstance(r, DeliveryError)]
    assert len(failed) == 1 and results[7] is failed[0] and "IncorrectPhoneNumber" in str(failed[0]) and not failed[0].retryable
    assert len(sms.messages) == 302 and {m.phone for m in sms.messages} >= {"+8613900000000", "+8613900000002"}
    assert len({r.remote_id for r in results if not isinstance(r, DeliveryError)}) == 302  # type: ignore[union-attr]
