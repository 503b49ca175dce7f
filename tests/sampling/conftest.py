"""Shared fixtures of the sampling tests: an independent re-implementation of the published rank formula."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence

import pytest


def _reference_order(codes: Iterable[str], seed: str, stratum: Sequence[str]) -> list[str]:
    key = json.dumps(list(stratum), ensure_ascii=False, separators=(",", ":"))

    def rank(code: str) -> str:
        return hashlib.sha256(f"kaohe-sampling/1|{seed}|{key}|{code}".encode()).hexdigest()

    return sorted(codes, key=rank)


@pytest.fixture
def reference_order() -> Callable[[Iterable[str], str, Sequence[str]], list[str]]:
    """The draw order as the documentation states it, computed without kaohe."""
    return _reference_order
