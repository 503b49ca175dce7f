"""SMS through Aliyun (dysmsapi ``SendSms``) or Tencent Cloud (``SendSms`` 2021-01-11).

Both carriers send only pre-approved templates: a message becomes a template id (``KAOHE_SMS_TEMPLATES``:
message kind → id; a per-recipient digest uses ``digest_escalation`` / ``digest_reminder``) and its
parameters (``Message.sms``); the rendered text is never sent. The recipient is a mobile number. Each
request carries a dedupe key derived from the message key (Aliyun ``OutId``, Tencent ``SessionContext``)
so a provider's records, and the local fake, show a repeated message as one.

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
from collections.abc import Callable, Mapping
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


def tencent_payload(message: Message, *, app_id: str, sign_name: str, template: str) -> str:
    """The JSON body of SendSms (2021-01-11): parameters in the order the message gives them."""
    phone = message.recipient if message.recipient.startswith("+") else f"+86{message.recipient}"
    return json.dumps({
        "PhoneNumberSet": [phone], "SmsSdkAppId": app_id, "SignName": sign_name, "TemplateId": template,
        "TemplateParamSet": list(_params(message).values()), "SessionContext": dedupe_key(message.key),
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
        [result] = body.get("SendStatusSet") or [{}]
        code = str(result.get("Code"))
        answer = f"HTTP {status} Code={code} {result.get('Message', '')}".strip()
        if status == 200 and code == "Ok":
            return Receipt(key=message.key, channel=self.name, accepted_at=self._clock(), remote_id=str(result.get("SerialNo")), answer=answer)
        raise DeliveryError(f"腾讯云短信拒绝：{code} {result.get('Message', '')}".strip(),
                            retryable=code.startswith(TENCENT_RETRYABLE_PREFIXES), answer=answer)
