"""A local fake of the Aliyun and Tencent Cloud SMS APIs on 127.0.0.1 for tests and the simulation.

It checks each request's signature with the configured key (so a badly signed request is refused the
way the providers refuse it), keeps every SMS it accepted (``ReceivedSms``), treats a repeated dedupe
key as the same SMS (``duplicates`` counts them), takes batches (Aliyun ``SendBatchSms``, at most 100
numbers; Tencent ``SendSms`` with several numbers, at most 200; ``calls`` counts the requests), refuses
numbers listed in ``invalid_numbers`` the way each provider does (Aliyun: the whole call, Tencent: that
number's status) and can be told to refuse the next requests::

    with LocalSmsReceiver(provider="aliyun", key_id="id", secret="secret") as sms:
        settings = Settings(**sms.settings_overrides(), sms_templates={"overdue": "SMS_1"})
"""

from __future__ import annotations

import hmac
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

from kaohe.notifications.sms import aliyun_signature, tc3_authorization


@dataclass(frozen=True)
class ReceivedSms:
    """One SMS the fake accepted."""

    provider: str
    phone: str
    sign_name: str
    template: str
    params: dict[str, str] | list[str]
    dedupe_key: str


class LocalSmsReceiver:
    """Imitates one provider's SendSms at ``url`` (a real HTTP server on loopback, stopped on exit)."""

    def __init__(self, *, provider: str, key_id: str = "test-key-id", secret: str = "test-key-secret") -> None:
        self.provider, self.key_id, self.secret = provider, key_id, secret
        self.messages: list[ReceivedSms] = []
        self.duplicates = 0
        self.refused: list[str] = []
        self.calls = 0
        self.invalid_numbers: set[str] = set()
        self._fail: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL to point ``KAOHE_SMS_BASE_URL`` at."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def settings_overrides(self) -> dict[str, str]:
        """Settings fields that point kaohe's SMS channel here."""
        overrides = {"sms_provider": self.provider, "sms_base_url": self.url, "sms_access_key_id": self.key_id,
                     "sms_access_key_secret": self.secret, "sms_sign_name": "弥勒考核"}
        if self.provider == "tencent":
            overrides["sms_sdk_app_id"] = "1400000000"
        return overrides

    def fail_next(self, count: int, code: str) -> None:
        """Refuse the next ``count`` requests with the provider's error ``code`` (e.g. isv.MOBILE_NUMBER_ILLEGAL)."""
        with self._lock:
            self._fail.extend([code] * count)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _answer(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            failing = self._fail.pop(0) if self._fail else None
        if self.provider == "aliyun":
            return self._aliyun(dict(parse_qsl(body.decode(), keep_blank_values=True)), failing)
        return self._tencent(headers, body, failing)

    def _record(self, sms: ReceivedSms) -> None:
        with self._lock:
            if any(m.dedupe_key == sms.dedupe_key for m in self.messages):
                self.duplicates += 1
            else:
                self.messages.append(sms)

    def _aliyun(self, form: dict[str, str], failing: str | None) -> dict[str, Any]:
        signature = form.pop("Signature", "")
        if form.get("AccessKeyId") != self.key_id or not hmac.compare_digest(signature, aliyun_signature(form, self.secret)):
            self.refused.append("SignatureDoesNotMatch")
            return {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched with our calculation."}
        if form.get("Action") == "SendBatchSms":
            phones, signs = json.loads(form["PhoneNumberJson"]), json.loads(form["SignNameJson"])
            params = json.loads(form.get("TemplateParamJson") or "[]")
            if not 0 < len(phones) <= 100 or len(signs) != len(phones) or len(params) != len(phones):
                return {"Code": "isv.INVALID_PARAMETERS", "Message": "PhoneNumberJson, SignNameJson and TemplateParamJson do not match"}
            failing = failing or ("isv.MOBILE_NUMBER_ILLEGAL" if self.invalid_numbers.intersection(phones) else None)
            if failing:
                self.refused.append(failing)
                return {"Code": failing, "Message": "refused by the local fake"}
            for phone, sign, values in zip(phones, signs, params, strict=True):
                self._record(ReceivedSms("aliyun", phone, sign, form["TemplateCode"], values, f"{form.get('OutId', '')}/{phone}"))
            return {"Code": "OK", "Message": "OK", "BizId": f"900619746936498440^{len(self.messages)}", "RequestId": "F655A8D5-B968"}
        failing = failing or ("isv.MOBILE_NUMBER_ILLEGAL" if form["PhoneNumbers"] in self.invalid_numbers else None)
        if failing:
            self.refused.append(failing)
            return {"Code": failing, "Message": "refused by the local fake"}
        self._record(ReceivedSms("aliyun", form["PhoneNumbers"], form["SignName"], form["TemplateCode"],
                                 json.loads(form.get("TemplateParam") or "{}"), form.get("OutId", "")))
        return {"Code": "OK", "Message": "OK", "BizId": f"900619746936498440^{len(self.messages)}", "RequestId": "F655A8D5-B967"}

    def _tencent(self, headers: dict[str, str], body: bytes, failing: str | None) -> dict[str, Any]:
        payload = body.decode()
        expected = tc3_authorization(secret_id=self.key_id, secret_key=self.secret, payload=payload,
                                     timestamp=int(headers.get("x-tc-timestamp", "0")), host=headers.get("host", ""),
                                     content_type=headers.get("content-type", ""))
        if not hmac.compare_digest(headers.get("authorization", ""), expected):
            self.refused.append("AuthFailure.SignatureFailure")
            return {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "签名错误"}, "RequestId": "r"}}
        data = json.loads(payload)
        phones = list(data["PhoneNumberSet"])
        if not 0 < len(phones) <= 200:
            return {"Response": {"Error": {"Code": "LimitExceeded.PhoneNumberCountLimit", "Message": "至多 200 个号码"}, "RequestId": "r"}}
        statuses = []
        for phone in phones:
            refusal = failing or ("InvalidParameterValue.IncorrectPhoneNumber" if phone in self.invalid_numbers else None)
            if refusal:
                self.refused.append(refusal)
                statuses.append({"SerialNo": "", "PhoneNumber": phone, "Code": refusal, "Message": "refused"})
                continue
            context = data.get("SessionContext", "")
            self._record(ReceivedSms("tencent", phone, data["SignName"], data["TemplateId"], list(data["TemplateParamSet"]),
                                     context if len(phones) == 1 else f"{context}/{phone}"))
            statuses.append({"SerialNo": f"5000:{len(self.messages)}", "PhoneNumber": phone, "Fee": 1, "SessionContext": context,
                             "Code": "Ok", "Message": "send success", "IsoCode": "CN"})
        return {"Response": {"SendStatusSet": statuses, "RequestId": "r"}}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                answer = json.dumps(receiver._answer({k.lower(): v for k, v in self.headers.items()}, body), ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the http.server signature
                return

        return Handler
