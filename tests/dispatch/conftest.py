"""Fixtures for the dispatch tests: real local receivers, a real cycle, and the test session as a factory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from dispatch_support import SessionFactory, make_cycle, scope_of
from sqlalchemy.orm import Session

from kaohe.models import Cycle
from kaohe.testing.receivers import LocalSmtpReceiver, LocalWebhookReceiver


@pytest.fixture
def hooks() -> Iterator[LocalWebhookReceiver]:
    """A local HTTP receiver for the generic webhook and the robots."""
    with LocalWebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[LocalSmtpReceiver]:
    """A local SMTP server."""
    with LocalSmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def sessions(session: Session) -> SessionFactory:
    """The rolled-back test session, handed out the way ``session_scope`` hands out sessions."""
    return scope_of(session)


@pytest.fixture
def cycle(session: Session, hooks: LocalWebhookReceiver) -> Cycle:
    """A mile-2018 cycle of four units whose webhooks point at ``hooks``.

    The key is unique: on SQLite a committed savepoint of the ``session`` fixture outlives its rollback.
    """
    return make_cycle(session, hooks.url, key=f"mile-2018-{uuid.uuid4().hex[:8]}")
