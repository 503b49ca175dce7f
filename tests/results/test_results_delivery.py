"""The results e-mail as a unit receives it: the feedback letter attached under its Chinese name (RFC 2231),
the grade, score and the selections (先进) it names, and the link to the task page."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import httpx
from results_support import MILE_SHEET, aggregate, approve_all, bj, feedback

from kaohe.db import session_scope
from kaohe.dispatch import Dispatcher
from kaohe.notifications.email import AiosmtplibTransport, EmailChannel
from kaohe.testing.receivers import LocalSmtpReceiver

PUBLISHED = bj(2019, 3, 7, 16)


def _send_all(database_url: str, smtp: LocalSmtpReceiver, now: dt.datetime) -> None:
    async def go() -> None:
        transport = AiosmtplibTransport(smtp.host, smtp.port, timeout=5)
        async with httpx.AsyncClient(trust_env=False):
            channels = {"email": EmailChannel(transport, sender="kaohe@example.cn")}
            dispatcher = Dispatcher(lambda: session_scope(database_url), channels,
                                    links=lambda ref: f"http://127.0.0.1:8000/t/{ref['unit']}")
            await dispatcher.run(now)
            await transport.aclose()

    asyncio.run(go())


def test_results_mail_attaches_the_letter_and_names_the_selections(make_mile_cycle, database_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    key = make_mile_cycle()
    aggregate(database_url, tmp_path, key, PUBLISHED, sheet=MILE_SHEET, by="联席办")
    approve_all(database_url, tmp_path, key, bj(2019, 3, 7, 18))
    feedback(database_url, tmp_path, key, bj(2019, 3, 8, 9))
    with LocalSmtpReceiver() as smtp:
        _send_all(database_url, smtp, bj(2019, 3, 8, 9))
        results = {m.message["To"].addresses[0].addr_spec: m.message for m in smtp.mails
                   if str(m.message["Subject"]).startswith("【考核结果】")}
        raws = {m.message["To"].addresses[0].addr_spec: m.raw for m in smtp.mails
                if str(m.message["Subject"]).startswith("【考核结果】")}
    assert sorted(results) == [f"m0{n}@example.org" for n in range(1, 8)]
    for address, message in results.items():
        letter, pdf = message.iter_attachments()  # the DOCX and the PDF rendered beside it
        assert letter.get_content_type() == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        assert pdf.get_content_type() == "application/pdf" and pdf.get_content()[:5] == b"%PDF-"
        name = letter.get_filename()
        assert pdf.get_filename() == name.removesuffix(".docx") + ".pdf"
        assert name.endswith(".docx") and any("\u4e00" <= c <= "\u9fff" for c in name)
        assert b"filename*=utf-8''" in raws[address] and raws[address].isascii()  # RFC 2231, no raw 8-bit name
        assert letter.get_content()[:2] == b"PK"
        stored = next((tmp_path / "results" / key / "v1").rglob(name))
        assert letter.get_content() == stored.read_bytes()
        text = message.get_body(("plain",)).get_content()
        assert "书面反馈意见见附件" in text and name in text and pdf.get_filename() in text
        assert f"http://127.0.0.1:8000/t/{address[:3].upper()}" in text
    selected = [m for m in results.values() if "推荐年度扶贫先进集体" in str(m["Subject"])]
    assert selected, "the sample sheet picks at least one 先进集体"
    for message in selected:
        assert "经考核，你单位列入“推荐年度扶贫先进集体”" in message.get_body(("plain",)).get_content()
