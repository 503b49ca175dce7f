"""Helpers shared by the dispatch tests: a real cycle, outbox rows, and a dispatcher on real receivers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from kaohe.dispatch import Dispatcher, DispatchReport
from kaohe.http_client import dispatch_client
from kaohe.models import Cycle, OutboxMessage, Unit
from kaohe.notifications.channel import Channel
from kaohe.notifications.email import AiosmtplibTransport
from kaohe.notifications.registry import build_channels
from kaohe.planning import plan_cycle
from kaohe.roster import Role, RosterEntry
from kaohe.schemes import load_scheme
from kaohe.settings import PROJECT_ROOT, Settings
from kaohe.store.cycles import create_cycle
from kaohe.store.outbox import Outgoing
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver
from kaohe.workdays import load_calendar

SessionFactory = Callable[[], AbstractContextManager[Session]]

CREATED = dt.datetime(2018, 11, 30, 0, 0, tzinfo=dt.timezone.utc)
T0 = dt.datetime(2019, 1, 18, 1, 0, tzinfo=dt.timezone.utc)
STAGE = "self_check"
WECOM_KEY = "wecom-robot-key-0001"


def roster(count: int, hooks_url: str) -> list[RosterEntry]:
    """``count`` assessed units (e-mail, generic webhook, a shared WeCom robot) and one coordinator."""
    units = [
        RosterEntry(
            code=f"U{n:04d}", name=f"弥勒市测试单位{n:04d}", role=Role.ASSESSED, supervisor="OFFICE",
            contacts={"email": f"单位{n:04d} <u{n:04d}@example.cn>", "webhook": f"{hooks_url}/hooks/U{n:04d}", "wecom": WECOM_KEY},
        )
        for n in range(count)
    ]
    office = RosterEntry(code="OFFICE", name="弥勒市“挂包帮”“转走访”工作联席会议办公室", role=Role.COORDINATOR,
                         contacts={"email": "office@example.cn"})
    return [*units, office]


def make_cycle(session: Session, hooks_url: str, *, units: int = 4, key: str = "mile-2018") -> Cycle:
    """A real mile-2018 cycle (scheme, plan and roster through kaohe's own code)."""
    scheme = load_scheme("mile", PROJECT_ROOT / "schemes")
    plan = plan_cycle(scheme, 2018, load_calendar())
    cycle = create_cycle(session, key=key, scheme=scheme, plan=plan, roster=roster(units, hooks_url), actor="test", now=CREATED)
    session.flush()
    return cycle


def unit_of(cycle: Cycle, code: str) -> Unit:
    """The unit ``code`` of ``cycle``."""
    return next(u for u in cycle.units if u.code == code)


def outgoing(cycle: Cycle, code: str, channel: str, *, wave: str = "upcoming@2019-01-18", send_after: dt.datetime = T0,
             kind: str = "upcoming", stage: str = STAGE, n: int | None = None) -> Outgoing:
    """One reminder for unit ``code`` over ``channel``, addressed with the unit's contact."""
    unit = unit_of(cycle, code)
    suffix = "" if n is None else f"#{n}"
    return Outgoing(
        key=f"{cycle.key}:{stage}:{code}:{kind}:{wave}{suffix}:{channel}", cycle_id=cycle.id, stage_key=stage, unit_id=unit.id,
        kind=kind, wave=wave, channel=channel, recipient=unit.contacts[channel],
        subject=f"【考核提醒】“自查自评”即将截止（{code}{suffix}）", body=f"{unit.name}：\n请按时报送自查报告和自评表。{suffix}\n",
        send_after=send_after,
    )


def rows(session: Session, cycle: Cycle) -> dict[str, OutboxMessage]:
    """The cycle's outbox rows by key, freshly read."""
    session.expire_all()
    return {r.key: r for r in session.scalars(select(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id))}


def scope_of(session: Session) -> SessionFactory:
    """A session factory handing out the test's session, committing (a savepoint) at the end of each block."""

    @contextmanager
    def scope() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    return scope


def settings_for(smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver) -> Settings:
    """Settings that point every channel at the local receivers."""
    return Settings(smtp_host=smtp.host, smtp_port=smtp.port, smtp_sender="考核办 <kaohe@example.cn>",
                    **hooks.settings_overrides())  # type: ignore[arg-type]


def local_channels(smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver, http: httpx.AsyncClient) -> dict[str, Channel]:
    """kaohe's real channels (through the registry) on the local receivers."""
    transport = AiosmtplibTransport(smtp.host, smtp.port, timeout=5)
    return build_channels(settings_for(smtp, hooks), http, smtp=transport)


def dispatch(sessions: SessionFactory, smtp: LocalSmtpReceiver, hooks: LocalWebhookReceiver, now: dt.datetime,
             *, cycle_id: int | None = None, **options: Any) -> DispatchReport:
    """Run one kaohe Dispatcher to completion at ``now`` on the local receivers."""

    async def go() -> DispatchReport:
        async with dispatch_client(concurrency=int(options.get("concurrency", 32)), timeout=5) as http:
            dispatcher = Dispatcher(sessions, local_channels(smtp, hooks, http), **options)
            return await dispatcher.run(now, cycle_id=cycle_id)

    return asyncio.run(go())


def keys_received(hooks: LocalWebhookReceiver) -> list[str]:
    """The outbox key of every generic-webhook request received, in order (repeats kept)."""
    return [r.json["key"] for r in hooks.requests if r.flavor == "webhook"]


def mail_keys(smtp: LocalSmtpReceiver, messages: Sequence[OutboxMessage]) -> list[str]:
    """The outbox key of every e-mail received (matched by its deterministic Message-ID), repeats kept."""
    from kaohe.notifications.email import message_id_for

    by_id = {message_id_for(m.key, "example.cn"): m.key for m in messages}
    return [by_id[str(mail.message["Message-ID"])] for mail in smtp.mails]


def advance(session: Session, cycle: Cycle, now: dt.datetime) -> dict[str, Any]:
    """What the advance task records at ``now``: kaohe's pure decide, then apply_decisions."""
    from kaohe.engine.advance import decide
    from kaohe.store.advance import (
        apply_decisions,
        escalation_targets,
        obligation_states,
        stage_states,
    )

    decisions = decide(stage_states(cycle), obligation_states(session, cycle), escalation_targets(cycle), load_calendar(),
                       since=cycle.advanced_to, now=now, office_hours=cycle.office_hours)
    counts = apply_decisions(session, cycle, decisions, now=now, actor="test")
    session.commit()
    return counts
