"""Fixtures of the scoring tests: the schemes' own ``scoring:`` sections, read from the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from kaohe.schemes import load_spec
from kaohe.scoring import ScoringSpec

SCHEMES = Path(__file__).resolve().parents[2] / "schemes"


def spec_of(scheme: str) -> ScoringSpec:
    """The ScoringSpec of a built-in scheme (which must have a formula)."""
    spec = load_spec(scheme, SCHEMES)
    assert spec is not None
    return spec


@pytest.fixture(scope="session")
def mile() -> ScoringSpec:
    """弥勒市 scheme."""
    return spec_of("mile")


@pytest.fixture(scope="session")
def sichuan() -> ScoringSpec:
    """四川省 scheme."""
    return spec_of("sichuan")


@pytest.fixture(scope="session")
def inner_mongolia() -> ScoringSpec:
    """内蒙古 work-team scheme."""
    return spec_of("inner-mongolia-teams")
