"""SMS through Aliyun (dysmsapi ``SendSms``) or Tencent Cloud (``SendSms`` 2021-01-11).

Both carriers send only pre-approved templates: a message becomes a template id (``KAOHE_SMS_TEMPLATES``:
message kind → id; a per-recipient digest uses ``digest_escalation`` / ``digest_reminder``) and its
parameters (``Message.sms``); the rendered text is never sent. The recipient is a mobile number. Each
request carries a dedupe key derived from the message key (Aliyun ``OutId``, Tencent ``SessionContext``)
so a provider's records, and the local fake, show a repeated message as one.

Many messages of a wave go out in one call where the provider takes many numbers (``send_many``):
Aliyun ``SendBatchSms`` (at most 100 numbers, one template, parameters per number) and Tencent
``SendSms`` with several numbers (at most 200, the same template and parameters for all). A batch the
provider refuses as a whole for a reason that is not temporary (an invalid number among them) is split
in halves and sent again, down to single messages, so that only the bad one fails.

Signing follows each provider's documentation: Aliyun RPC signature (HMAC-SHA1 over the percent-encoded
sorted query, key ``secret + "&"``); Tencent Cloud TC3-HMAC-SHA256. Tests check both against the
providers' own SDKs.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from kaohe.errors import ConfigError, DeliveryError
from kaohe.notifications.channel import Clock, check_channel, http_status_retryable, utc_now
from kaohe.notifications.message import Message, Receipt

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com"
TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com"
TENCENT_HOST = "sms.tencentcloudapi.com"
PROVIDERS = ("aliyun", "tencent")
ALIYUN_RETRYABLE = frozenset({"isv.BUSINESS_LIMIT_CONTROL", "SignatureNonceUsed", "Throttling.User", "ServiceUnavailable"})
TENCENT_RETRYABLE_PREFIXES = ("RequestLimitExceeded", "InternalError", "LimitExceeded.PhoneNumberThirtySecondLimit")


def dedupe_key(message_key: str) -> str:
    """The per-message dedupe key sent to the provider (32 hex characters, stable for the key)."""
    return hashlib.sha256(message_key.encode()).hexdigest()[:32]


def template_for(message: Message, templates: Mapping[str, str]) -> str:
    """The approved template id for ``message`` (a digest by its class); a missing one is a non-retryable error."""
    name = message.kind
    if message.kind == "digest":
        name = f"digest_{dict(message.sms).get('class', 'reminder')}"
    template = templates.get(name)
    if not template:
        raise DeliveryError(f"没有为“{name}”类消息配置短信模板（KAOHE_SMS_TEMPLATES），短信不能发送自由文本", retryable=False)
    return template


def _params(message: Message) -> dict[str, str]:
    return {k: v for k, v in message.sms if k != "class"}


# --- Aliyun -------------------------------------------------------------------------------------------

def aliyun_percent(text: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved characters kept, space as %20, ``*`` as %2A, ``~`` kept."""
    return quote(text, safe="~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The RPC signature: base64(HMAC-SHA1(secret + "&", method & %2F & percent(sorted canonical query)))."""
    canonical = "&".join(f"{aliyun_percent(k)}={aliyun_percent(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{aliyun_percent('/')}&{aliyun_percent(canonical)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


def aliyun_request(message: Message, *, key_id: str, secret: str, sign_name: str, template: str, now: dt.datetime,
                   nonce: str) -> dict[str, str]:
    """The signed form parameters of a dysmsapi SendSms call."""
    params = {
        "AccessKeyId": key_id, "Action": "SendSms", "Format": "JSON", "PhoneNumbers": message.recipient, "RegionId": "cn-hangzhou",
        "SignName": sign_name, "SignatureMethod": "HMAC-SHA1", "SignatureNonce": nonce, "SignatureVersion": "1.0",
        "TemplateCode": template, "TemplateParam": json.dumps(_params(message), ensure_ascii=False, separators=(",", ":")),
        "Timestamp": now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "OutId": dedupe_key(message.key),
    }
    return {**params, "Signature": aliyun_signature(params, secret)}


ALIYUN_BATCH = 100
TENCENT_BATCH = 200


def batch_dedupe_key(messages: Sequence[Message]) -> str:
    """The dedupe key of a batch call (Aliyun ``OutId``, Tencent ``SessionContext``): stable for the messages' keys."""
    return dedupe_key("\n".join(m.key for m in messages))


def aliyun_batch_request(messages: Sequence[Message], *, key_id: str, secret: str, sign_name: str, template: str, now: dt.datetime,
                         nonce: str) -> dict[str, str]:
    """The signed form parameters of a dysmsapi SendBatchSms call: one template, each number with its own parameters."""
    def as_json(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    params = {
        "AccessKeyId": key_id, "Action": "SendBatchSms", "Format": "JSON", "PhoneNumberJson": as_json([m.recipient for m in messages]),
        "RegionId": "cn-hangzhou", "SignNameJson": as_json([sign_name] * len(messages)), "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce, "SignatureVersion": "1.0", "TemplateCode": template,
        "TemplateParamJson": as_json([_params(m) for m in messages]),
        "Timestamp": now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "Version": "2017-05-25",
        "OutId": batch_dedupe_key(messages),
    }
    return {**params, "Signature": aliyun_signature(params, secret)}


# --- Tencent Cloud ------------------------------------------------------------------------------------

def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tc3_authorization(*, secret_id: str, secret_key: str, payload: str, timestamp: int, host: str = TENCENT_HOST,
                      service: str = "sms", content_type: str = "application/json") -> str:
    """The TC3-HMAC-SHA256 ``Authorization`` header of a POST with a JSON ``payload``."""
    date = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).strftime("%Y-%m-%d")
    canonical_request = "\n".join([
        "POST", "/", "", f"content-type:{content_type}\nhost:{host}\n", "content-type;host",
        hashlib.sha256(payload.encode()).hexdigest(),
    ])
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()])
    signing = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, Signature={signature}"


def _e164(recipient: str) -> str:
    return recipient if recipient.startswith("+") else f"+86{recipient}"


def tencent_payload(message: Message, *, app_id: str, sign_name: str, template: str) -> str:
    """The JSON body of SendSms (2021-01-11): parameters in the order the message gives them."""
    return json.dumps({
        "PhoneNumberSet": [_e164(message.recipient)], "SmsSdkAppId": app_id, "SignName": sign_name, "TemplateId": template,
        "TemplateParamSet": list(_params(message).values()), "SessionContext": dedupe_key(message.key),
    }, ensure_ascii=False, separators=(",", ":"))


def tencent_batch_payload(messages: Sequence[Message], *, app_id: str, sign_name: str, template: str) -> str:
    """The JSON body of one SendSms call to several numbers (they share the template and its parameters)."""
    return json.dumps({
        "PhoneNumberSet": [_e164(m.recipient) for m in messages], "SmsSdkAppId": app_id, "SignName": sign_name, "TemplateId": template,
        "TemplateParamSet": list(_params(messages[0]).values()), "SessionContext": batch_dedupe_key(messages),
    }, ensure_ascii=False, separators=(",", ":"))


class SmsChannel:
    """Sends a message as a templated SMS to a mobile number through Aliyun or Tencent Cloud."""

    name = "sms"
    takes_idempotency_key = False
    per_minute_limit: int | None = None
    merges_into_digest = False

    def __init__(self, client: httpx.AsyncClient, *, provider: str, key_id: str, secret: str, sign_name: str,
                 templates: Mapping[str, str], app_id: str | None = None, base_url: str | None = None, clock: Clock = utc_now,
                 nonce: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        if provider not in PROVIDERS:
            raise ConfigError(f"未知的短信服务商 KAOHE_SMS_PROVIDER={provider!r}（可用：{'、'.join(PROVIDERS)}）")
        if provider == "tencent" and not app_id:
            raise ConfigError("腾讯云短信需要 KAOHE_SMS_SDK_APP_ID")
        self.provider = provider
        self._client, self._key_id, self._secret, self._sign_name = client, key_id, secret, sign_name
        self._templates, self._app_id, self._clock, self._nonce = dict(templates), app_id, clock, nonce
        self._url = (base_url or (ALIYUN_ENDPOINT if provider == "aliyun" else TENCENT_ENDPOINT)).rstrip("/") + "/"

    async def send(self, message: Message) -> Receipt:
        """Send; success only when the provider's own code says so (Aliyun ``Code`` OK, Tencent ``Ok``)."""
        check_channel(self.name, message)
        template = template_for(message, self._templates)
        if self.provider == "aliyun":
            return await self._aliyun(message, template)
        return await self._tencent(message, template)

    @property
    def batch_limit(self) -> int:
        """How many numbers one call may carry (Aliyun SendBatchSms 100, Tencent SendSms 200)."""
        return ALIYUN_BATCH if self.provider == "aliyun" else TENCENT_BATCH

    def batch_key(self, message: Message) -> Hashable | None:
        """Messages with equal keys may share one call: the same template (Aliyun), the same template and parameters
        (Tencent); None when the message must go alone (no template configured: its own send explains why)."""
        try:
            template = template_for(message, self._templates)
        except DeliveryError:
            return None
        return template if self.provider == "aliyun" else (template, tuple(_params(message).items()))

    async def send_many(self, messages: Sequence[Message]) -> list[Receipt | DeliveryError]:
        """Send messages of one ``batch_key`` in one call; the result of each, in order. A call refused as a whole for
        good is split in two halves and each sent again (down to single messages): one bad number fails alone, in
        about 2·log2(n) more calls."""
        for message in messages:
            check_channel(self.name, message)
        if len(messages) == 1:
            return [await self._result(messages[0])]
        template = template_for(messages[0], self._templates)
        try:
            if self.provider == "aliyun":
                return await self._aliyun_batch(messages, template)
            return await self._tencent_batch(messages, template)
        except DeliveryError as error:
            if error.retryable:
                return [error] * len(messages)
        half = len(messages) // 2
        return [*await self.send_many(messages[:half]), *await self.send_many(messages[half:])]

    async def _result(self, message: Message) -> Receipt | DeliveryError:
        try:
            return await self.send(message)
        except DeliveryError as error:
            return error

    async def _aliyun_batch(self, messages: Sequence[Message], template: str) -> list[Receipt | DeliveryError]:
        form = aliyun_batch_request(messages, key_id=self._key_id, secret=self._secret, sign_name=self._sign_name, template=template,
                                    now=self._clock(), nonce=self._nonce())
        status, data = await self._post(data=form)
        code = str(data.get("Code")) if isinstance(data, dict) else ""
        text = data.get("Message", "") if isinstance(data, dict) else ""
        answer = f"HTTP {status} Code={code} {text} (SendBatchSms, {len(messages)} 个号码)".strip()
        if status == 200 and code == "OK":
            at = self._clock()
            return [Receipt(key=m.key, channel=self.name, accepted_at=at, remote_id=str(data.get("BizId")), answer=answer) for m in messages]
        raise DeliveryError(f"阿里云短信拒绝：{code or f'HTTP {status}'} {text}".strip(),
                            retryable=code in ALIYUN_RETRYABLE or http_status_retryable(status), answer=answer)

    async def _tencent_batch(self, messages: Sequence[Message], template: str) -> list[Receipt | DeliveryError]:
        payload = tencent_batch_payload(messages, app_id=self._app_id or "", sign_name=self._sign_name, template=template)
        status, body = await self._tencent_call(payload)
        by_phone = {str(r.get("PhoneNumber")): r for r in body.get("SendStatusSet") or [] if isinstance(r, dict)}
        at = self._clock()
        results: list[Receipt | DeliveryError] = []
        for message in messages:
            result = by_phone.get(_e164(message.recipient), {})
            code = str(result.get("Code"))
            answer = f"HTTP {status} Code={code} {result.get('Message', '')}".strip()
            if status == 200 and code == "Ok":
                results.append(Receipt(key=message.key, channel=self.name, accepted_at=at, remote_id=str(result.get("SerialNo")), answer=answer))
            else:
                results.append(DeliveryError(f"腾讯云短信拒绝：{code} {result.get('Message', '')}".strip(),
                                             retryable=code.startswith(TENCENT_RETRYABLE_PREFIXES), answer=answer))
        return results

    async def _tencent_call(self, payload: str) -> tuple[int, dict[str, Any]]:
        """POST a signed SendSms body; (status, the ``Response`` object); a request-level ``Error`` becomes DeliveryError."""
        timestamp = int(self._clock().timestamp())
        headers = {
            "Authorization": tc3_authorization(secret_id=self._key_id, secret_key=self._secret, payload=payload, timestamp=timestamp),
            "Content-Type": "application/json", "Host": TENCENT_HOST, "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11", "X-TC-Timestamp": str(timestamp), "X-TC-Region": "ap-guangzhou",
        }
        status, data = await self._post(content=payload.encode(), headers=headers)
        body = data.get("Response", {}) if isinstance(data, dict) else {}
        error = body.get("Error")
        if error:
            code = str(error.get("Code"))
            raise DeliveryError(f"腾讯云短信拒绝：{code} {error.get('Message', '')}".strip(),
                                retryable=code.startswith(TENCENT_RETRYABLE_PREFIXES) or http_status_retryable(status),
                                answer=f"HTTP {status} {code}")
        return status, body

    async def _post(self, **kwargs: Any) -> tuple[int, Any]:
        try:
            response = await self._client.post(self._url, **kwargs)
        except httpx.TimeoutException as error:
            raise DeliveryError(f"短信服务请求超时（{type(error).__name__}）", retryable=True) from error
        except httpx.TransportError as error:
            raise DeliveryError(f"短信服务连接失败：{type(error).__name__} {error}", retryable=True) from error
        try:
            return response.status_code, response.json()
        except ValueError:
            raise DeliveryError(f"短信服务回复无法识别（HTTP {response.status_code}）", retryable=http_status_retryable(response.status_code),
                                answer=f"HTTP {response.status_code}") from None

    async def _aliyun(self, message: Message, template: str) -> Receipt:
        form = aliyun_request(message, key_id=self._key_id, secret=self._secret, sign_name=self._sign_name, template=template,
                              now=self._clock(), nonce=self._nonce())
        status, data = await self._post(data=form)
        code = str(data.get("Code")) if isinstance(data, dict) else ""
        answer = f"HTTP {status} Code={code} {data.get('Message', '') if isinstance(data, dict) else ''}".strip()
        if status == 200 and code == "OK":
            return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=str(data.get("BizId")), answer=answer)
        raise DeliveryError(f"阿里云短信拒绝：{code or f'HTTP {status}'} {data.get('Message', '') if isinstance(data, dict) else ''}".strip(),
                            retryable=code in ALIYUN_RETRYABLE or http_status_retryable(status), answer=answer)

    async def _tencent(self, message: Message, template: str) -> Receipt:
        payload = tencent_payload(message, app_id=self._app_id or "", sign_name=self._sign_name, template=template)
        status, body = await self._tencent_call(payload)
        [result] = body.get("SendStatusSet") or [{}]
        code = str(result.get("Code"))
        answer = f"HTTP {status} Code={code} {result.get('Message', '')}".strip()
        if status == 200 and code == "Ok":
            return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=str(result.get("SerialNo")), answer=answer)
        raise DeliveryError(f"腾讯云短信拒绝：{code} {result.get('Message', '')}".strip(),
                            retryable=code.startswith(TENCENT_RETRYABLE_PREFIXES), answer=answer)
