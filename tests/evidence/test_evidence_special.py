"""鄂尔多斯 第八条（三）专项核查 scored per unit, and 第十条 “即时反馈在专项考核即时打分后进行”: each scored unit is
told at once through the outbox and its channels (a real local SMTP server here), exactly once per scoring."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from evidence_support import bj, context_at
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.db import session_scope
from kaohe.dispatch import Dispatcher, DispatchReport
from kaohe.errors import InputError, PermissionDeniedError, StateError
from kaohe.http_client import dispatch_client
from kaohe.models import AuditEntry, Obligation, OutboxMessage, Unit
from kaohe.notifications.email import AiosmtplibTransport, message_id_for
from kaohe.notifications.registry import build_channels
from kaohe.services import Actor, Role, local_operator
from kaohe.services.special import ScoreSpecialVerification, score_special_verification
from kaohe.services.uploads import Upload
from kaohe.settings import Settings
from kaohe.store.cycles import get_cycle
from kaohe.testing.receivers import LocalSmtpReceiver

ORDOS = """编码,名称,类别,角色,上级,邮箱
DS,东胜区委区政府,旗区,被考核单位,OFFICE,ds@example.org
ZG,准格尔旗委旗政府,旗区,被考核单位,OFFICE,zg@example.org
OFFICE,市精准脱贫攻坚工作领导小组办公室,机关,协调办公室,,office@example.org
"""
SCORED_AT = bj(2019, 6, 28, 16)
SENDER_DOMAIN = "example.cn"
SHEET = "单位代码,单位名称,得分,存在问题,改进建议\nDS,东胜区委区政府,85.5,产业项目进度滞后；档案资料不全,加快项目建设\n"


@pytest.fixture
def smtp() -> Iterator[LocalSmtpReceiver]:
    """A real local SMTP server."""
    with LocalSmtpReceiver() as receiver:
        yield receiver


def score(url: str, home: Path, key: str, sheet: Path, *, at: dt.datetime = SCORED_AT, actor: Actor | None = None) -> dict:  # type: ignore[type-arg]
    """``kaohe special score`` through the service, at ``at``."""
    command = ScoreSpecialVerification(actor or local_operator("OFFICE"), key, "special_verification_1",
                                       Upload.read(sheet, "专项核查评分表"))
    return score_special_verification(context_at(url, home, at), command).to_json()


def dispatch(url: str, smtp: LocalSmtpReceiver, now: dt.datetime) -> DispatchReport:
    """One real kaohe Dispatcher run at ``now``, e-mail to the local SMTP server."""

    @contextmanager
    def sessions() -> Iterator[Session]:
        with session_scope(url) as session:
            yield session

    async def go() -> DispatchReport:
        async with dispatch_client(concurrency=4, timeout=5) as http:
            settings = Settings(smtp_host=smtp.host, smtp_port=smtp.port, smtp_sender=f"考核办 <kaohe@{SENDER_DOMAIN}>")
            channels = build_channels(settings, http, smtp=AiosmtplibTransport(smtp.host, smtp.port, timeout=5), names=("email",))
            return await Dispatcher(sessions, channels, clock=lambda: now).run(now)

    return asyncio.run(go())


def mails_to(smtp: LocalSmtpReceiver, address: str, url: str, key: str) -> list[tuple[str, str]]:
    """(subject, text body) of every immediate-feedback mail of cycle ``key`` the server received for ``address``.

    The database is shared by the session's tests, so a dispatch run also sends other tests' due messages: a mail
    counts only if its Message-ID is that of one of this cycle's ``special_feedback`` outbox messages."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        keys = session.scalars(select(OutboxMessage.key).where(OutboxMessage.cycle_id == cycle.id,
                                                               OutboxMessage.kind == "special_feedback")).all()
    ours = {message_id_for(k, SENDER_DOMAIN) for k in keys}
    found = []
    for mail in smtp.mails:
        if address in mail.rcpt_tos and mail.message["Message-ID"] in ours:
            part = mail.message.get_body(preferencelist=("plain",))
            assert part is not None
            found.append((str(mail.message["Subject"]), part.get_content()))
    return found


def office_obligations(url: str, key: str) -> dict[str, str]:
    """The coordinator's obligation status on the first phase's verification and feedback stages."""
    with session_scope(url) as session:
        cycle = get_cycle(session, key)
        stages = {s.id: s.key for s in cycle.stages if s.key in ("special_verification_1", "special_feedback_1")}
        rows = session.execute(select(Obligation.stage_id, Obligation.status).join(Unit, Unit.id == Obligation.unit_id)
                               .where(Obligation.stage_id.in_(stages), Unit.code == "OFFICE")).all()
        return {stages[stage_id]: status for stage_id, status in rows}


def test_each_scored_unit_gets_its_immediate_feedback_by_mail_exactly_once(database_url, make_cycle, home, write, smtp) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle("ordos", 2019, ORDOS)
    first = score(database_url, home, key, write("专项核查赋分表.csv", SHEET))
    assert (first["messages"], first["not_yet_scored"], first["completed"]) == (1, ["ZG"], [])
    # ZG is not scored yet: the office still owes both stages, so the feedback stage's reminder plan keeps running.
    assert office_obligations(database_url, key) == {"special_verification_1": "pending", "special_feedback_1": "pending"}
    dispatch(database_url, smtp, SCORED_AT + dt.timedelta(minutes=1))
    [(subject, body)] = mails_to(smtp, "ds@example.org", database_url, key)
    assert subject == "【即时反馈】东胜区委区政府2019年度“专项核查（上半年）”得分：85.5分"
    assert "根据《鄂尔多斯市精准脱贫攻坚工作考核办法》第八条（三）、第十条" in body
    assert "1. 产业项目进度滞后\n2. 档案资料不全" in body and "改进建议：\n1. 加快项目建设" in body
    assert "市精准脱贫攻坚工作领导小组办公室" in body and mails_to(smtp, "zg@example.org", database_url, key) == []

    # The same scoring recorded again is not sent again; dispatching again sends nothing more.
    again = score(database_url, home, key, write("专项核查赋分表（重交）.csv", SHEET))
    assert (again["messages"], again["corrections"]) == (0, [])
    dispatch(database_url, smtp, SCORED_AT + dt.timedelta(minutes=2))
    assert len(mails_to(smtp, "ds@example.org", database_url, key)) == 1

    # ZG scored, DS's score corrected: ZG is told once, DS gets one correction naming the feedback it replaces.
    both = score(database_url, home, key, write("全部.csv", SHEET.replace("85.5", "86") + "ZG,准格尔旗委旗政府,92,,\n"),
                 at=bj(2019, 7, 1, 10))
    assert (both["messages"], both["corrections"], both["not_yet_scored"]) == (2, ["DS"], [])
    assert sorted(both["completed"]) == ["special_feedback_1:OFFICE", "special_verification_1:OFFICE"]
    assert office_obligations(database_url, key) == {"special_verification_1": "done", "special_feedback_1": "done"}
    dispatch(database_url, smtp, bj(2019, 7, 1, 10, 5))
    ds = mails_to(smtp, "ds@example.org", database_url, key)
    assert len(ds) == 2 and ds[1][0].endswith("得分：86分（更正）") and "本反馈更正2019年6月28日（星期五）发出的反馈" in ds[1][1]
    [(zg_subject, zg_body)] = mails_to(smtp, "zg@example.org", database_url, key)
    assert "得分：92分" in zg_subject and "存在问题" not in zg_body
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        kinds = session.scalars(select(OutboxMessage.status).where(OutboxMessage.cycle_id == cycle.id,
                                                                   OutboxMessage.kind == "special_feedback")).all()
        audit = session.scalars(select(AuditEntry.action).where(AuditEntry.cycle_id == cycle.id,
                                                                AuditEntry.action == "special_verification.scored")).all()
    assert sorted(kinds) == ["sent", "sent", "sent"] and len(audit) == 3


def test_a_bad_score_sheet_names_file_row_and_field_and_records_nothing(database_url, make_cycle, home, write) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle("ordos", 2019, ORDOS)
    bad = write("坏表.csv", "单位代码,得分,意见\nDS,105,\nXX,80,\nDS,,\n")
    with pytest.raises(InputError) as caught:
        score(database_url, home, key, bad)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "坏表.csv，第1行，字段 意见：未知的列“意见”（第3列）" in text
    bad = write("坏表2.csv", "单位代码,得分\nDS,105\nXX,80\nZG,八十\nZG,\n")
    with pytest.raises(InputError) as caught:
        score(database_url, home, key, bad)
    text = "\n".join(str(p) for p in caught.value.problems)
    assert "坏表2.csv，第2行，字段 得分：得分 105 超出 0–100（百分制）" in text
    assert "第3行，字段 单位代码：XX 不是本周期的被考核单位" in text and "第4行，字段 得分：得分 '八十' 不是数字" in text
    assert "第5行，字段 得分：缺少得分" in text
    with session_scope(database_url) as session:
        cycle = get_cycle(session, key)
        assert session.scalar(select(OutboxMessage.id).where(OutboxMessage.cycle_id == cycle.id,
                                                             OutboxMessage.kind == "special_feedback")) is None


def test_only_the_office_scores_and_only_an_opened_special_verification(database_url, make_cycle, home, write) -> None:  # type: ignore[no-untyped-def]
    key = make_cycle("ordos", 2019, ORDOS)
    sheet = write("表.csv", SHEET)
    with pytest.raises(PermissionDeniedError):
        score(database_url, home, key, sheet, actor=Actor("DS", Role.UNIT, unit="DS"))
    with pytest.raises(StateError, match="尚未开始"):
        score(database_url, home, key, sheet, at=bj(2018, 12, 20))
    command = ScoreSpecialVerification(local_operator("OFFICE"), key, "annual_assessment", Upload.read(sheet, "表"))
    with pytest.raises(StateError, match="没有专项核查阶段 annual_assessment（可选：special_verification_1、special_verification_2）"):
        score_special_verification(context_at(database_url, home, SCORED_AT), command)


def test_the_command_records_and_tells(capsys, kaohe_env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    from kaohe.cli import cli
    from kaohe.cli.app import run

    roster = tmp_path / "roster.csv"
    roster.write_text(ORDOS, encoding="utf-8")
    sheet = tmp_path / "赋分表.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    assert run(cli, ["cycle", "create", "ordos", "--year", "2019", "--roster", str(roster)]) == 0
    capsys.readouterr()
    code = run(cli, ["special", "score", "ordos-2019", "--stage", "special_verification_1", "--scores", str(sheet), "--by", "OFFICE",
                     "--json"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    payload = json.loads(out)
    assert payload["messages"] == 1 and payload["scored"][0] == {"unit": "DS", "score": "85.5", "problems": ["产业项目进度滞后", "档案资料不全"],
                                                                 "advice": ["加快项目建设"]}
    assert run(cli, ["special", "score", "ordos-2019", "--stage", "special_verification_1", "--scores", str(sheet), "--by", "OFFICE"]) == 0
    assert "即时反馈 0 条消息" in capsys.readouterr().out
