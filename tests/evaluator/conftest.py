"""Fixtures for the evaluator boundary: a sample, a real reference evaluator on 127.0.0.1, an HTTP client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from kaohe.evaluator import EvaluatorClient, ReviewRequest, SampledUnit
from kaohe.testing.evaluator_server import ReferenceServer

TOKEN = "test-token-kaohe-2018"


@pytest.fixture
def review() -> ReviewRequest:
    """A four-unit spot-check sample of the 2018 cycle."""
    names = {"U1": "弥勒市教育局", "U2": "弥勒市农业局", "U3": "云南某非公企业", "U4": "弥勒市妇联"}
    return ReviewRequest(
        review_id="mile-2018-tp-001",
        cycle="2018",
        units=tuple(SampledUnit(code=code, name=name, attributes={"挂包村": f"{name}挂包村"}) for code, name in names.items()),
    )


@pytest.fixture
def token() -> str:
    """The bearer token the reference evaluator expects."""
    return TOKEN


@pytest.fixture
def server() -> Iterator[ReferenceServer]:
    """A fresh reference evaluator for each test."""
    with ReferenceServer(token=TOKEN) as running:
        yield running


@pytest.fixture
async def http(anyio_backend: str) -> AsyncIterator[httpx.AsyncClient]:
    """A real HTTP client with a short timeout."""
    async with httpx.AsyncClient(timeout=0.5) as client:
        yield client


@pytest.fixture
def make_client(
    server: ReferenceServer,
    http: httpx.AsyncClient,
    sleep: Callable[[float],
    Awaitable[None]],
) -> Callable[..., EvaluatorClient]:
    """Build a client for the reference server; keyword arguments override the defaults."""

    def build(**overrides: Any) -> EvaluatorClient:
        options: dict[str, Any] = {"http": http, "base_url": server.url, "token": TOKEN, "sleep": sleep} | overrides
        return EvaluatorClient(options.pop("http"), options.pop("base_url"), options.pop("token"), **options)

    return build
