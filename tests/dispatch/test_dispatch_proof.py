"""The delivery record (催办记录): sealed after sending, exported to XLSX and PDF, verified; an edited,
removed or inconsistent row is detected, in the database and in the exported file."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from pathlib import Path

import httpx
from dispatch_support import SessionFactory, advance, dispatch, local_channels, make_cycle, rows
from openpyxl import load_workbook
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from kaohe.cli import cli
from kaohe.cli.app import run
from kaohe.db import ensure_schema, session_scope
from kaohe.dispatch import Dispatcher
from kaohe.models import Cycle, LedgerEntry, OutboxMessage
from kaohe.proof import export_pdf, export_xlsx, read_xlsx
from kaohe.store.cycles import get_cycle
from kaohe.store.proof import ledger_rows, record_link_event, seal, verify_chain, verify_ledger
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver

WAVE = dt.datetime(2019, 1, 16, 1, 0, tzinfo=dt.timezone.utc)


def _sent_and_sealed(session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver,
                     hooks: LocalWebhookReceiver) -> int:
    advance(session, cycle, WAVE)
    dispatch(sessions, smtp, hooks, WAVE, cycle_id=cycle.id)
    record_link_event(session, cycle, "U0001", "opened", at=WAVE + dt.timedelta(hours=2), actor="unit:U0001", stage="self_check")
    return seal(session, cycle, now=WAVE + dt.timedelta(hours=3))


def test_the_record_lists_every_message_with_its_answer_and_the_link_opened(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver, tmp_path: Path
) -> None:
    sealed = _sent_and_sealed(session, sessions, cycle, smtp, hooks)
    sent = [r for r in rows(session, cycle).values() if r.status == "sent"]
    assert sealed == len(sent) + 1
    record = ledger_rows(session, cycle)
    check = verify_ledger(session, cycle)
    assert check.ok and check.rows == sealed and check.head == record[-1].hash
    mails = [r.data for r in record if r.data.get("channel") == "email"]
    assert mails and all(m["answer"].startswith("250") and m["sent_at"] and m["queued_at"] for m in mails)
    hooks_answers = {r.data["answer"] for r in record if r.data.get("channel") == "webhook"}
    assert hooks_answers == {"HTTP 200"}
    robots = {r.data["answer"] for r in record if r.data.get("channel") == "wecom"}
    assert robots and all(a.startswith("errcode 0") for a in robots)
    assert seal(session, cycle, now=WAVE + dt.timedelta(hours=4)) == 0

    out = tmp_path / "催办记录.xlsx"
    export_xlsx(ledger_rows(session, cycle, unit_code="U0001"), out, title=f"催办记录 {cycle.key}", head=check.head)
    sheet = load_workbook(out)["催办记录"]
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    mail = next(line for line in lines if line[6] == "邮件" and line[2] == "U0001" and line[4] == "self_check")
    assert mail[13].startswith("250") and mail[14] == "2019-01-16 11:00:00"
    other_stage = [line for line in lines if line[1] == "消息" and line[2] == "U0001" and line[4] != "self_check"]
    assert all(line[14] is None for line in other_stage), "a link opened for self_check answers no other stage's message"
    assert any(line[1] == "打开链接" for line in lines)
    pdf = tmp_path / "催办记录.pdf"
    export_pdf(record, pdf, title=f"催办记录 {cycle.key}", head=check.head)
    assert pdf.read_bytes().startswith(b"%PDF") and b"STSong-Light" in pdf.read_bytes()


def test_an_edited_or_removed_row_or_an_edited_message_is_detected(
    session: Session, sessions: SessionFactory, cycle: Cycle, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver
) -> None:
    _sent_and_sealed(session, sessions, cycle, smtp, hooks)
    third = session.scalar(select(LedgerEntry).where(LedgerEntry.cycle_id == cycle.id, LedgerEntry.seq == 3))
    original = third.entry
    session.execute(update(LedgerEntry).where(LedgerEntry.id == third.id).values(entry=original.replace("sent", "failed", 1)))
    session.expire_all()
    assert verify_ledger(session, cycle).problems[0] == "第3行内容与其哈希不符（该行被修改）"

    session.execute(update(LedgerEntry).where(LedgerEntry.id == third.id).values(entry=original))
    session.execute(delete(LedgerEntry).where(LedgerEntry.cycle_id == cycle.id, LedgerEntry.seq == 5))
    session.expire_all()
    problems = verify_ledger(session, cycle).problems
    assert "第5行至第5行缺失（记录被删除）" in problems and "第6行与前一行的链接不符（前一行被修改或删除）" in problems

    key = json.loads(original)["key"]
    session.execute(update(OutboxMessage).where(OutboxMessage.key == key).values(sent_at=WAVE - dt.timedelta(days=3)))
    session.expire_all()
    assert any(p.startswith(f"第3行记录的消息 {key} 与发件箱不一致（sent_at") for p in verify_ledger(session, cycle).problems)


def test_kaohe_proof_export_verify_tamper_detect(capsys, kaohe_env: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{kaohe_env / 'kaohe.db'}"
    ensure_schema(url)
    with LocalSmtpReceiver() as smtp, LocalWebhookReceiver() as hooks:
        with session_scope(url) as session:
            key = make_cycle(session, hooks.url, key=f"mile-2018-{uuid.uuid4().hex[:8]}").key
        with session_scope(url) as session:
            advance(session, get_cycle(session, key), WAVE)

        async def send() -> None:
            async with httpx.AsyncClient(trust_env=False, timeout=5) as http:
                await Dispatcher(lambda: session_scope(url), local_channels(smtp, hooks, http)).run(WAVE)

        asyncio.run(send())
    xlsx, pdf = kaohe_env / "record.xlsx", kaohe_env / "record.pdf"
    assert run(cli, ["proof", "export", key, "-o", str(xlsx), "--json"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["rows"] > 0 and exported["sealed"] == exported["rows"]
    assert run(cli, ["proof", "export", key, "-o", str(pdf)]) == 0
    assert run(cli, ["proof", "verify", key]) == 0
    assert run(cli, ["proof", "verify", key, "--file", str(xlsx)]) == 0
    assert "哈希链完整" in capsys.readouterr().out

    book = load_workbook(xlsx)
    sheet = book["催办记录"]
    entry = json.loads(sheet.cell(row=5, column=18).value)
    entry["sent_at"] = "2019-01-15T01:00:00+00:00"
    sheet.cell(row=5, column=18).value = json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    book.save(xlsx)
    assert run(cli, ["proof", "verify", key, "--file", str(xlsx)]) == 5
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "第2行内容与其哈希不符（该行被修改）" in err

    book = load_workbook(xlsx)
    book["催办记录"].delete_rows(5)
    book.save(xlsx)
    rows_left, whole = read_xlsx(xlsx)
    assert whole and "第2行至第2行缺失（记录被删除）" in verify_chain(rows_left).problems

    with session_scope(url) as session:
        session.execute(delete(LedgerEntry).where(LedgerEntry.seq == 1))
    assert run(cli, ["proof", "verify", key]) == 5
    assert "第1行至第1行缺失（记录被删除）" in capsys.readouterr().err
