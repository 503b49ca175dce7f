"""Signed task links: what is signed comes back, anything altered, foreign or expired is refused."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import LinkError
from kaohe.links import LINK_PATH, TaskLink, sign_task_link, verify_task_link
from kaohe.settings import Settings

UTC = dt.timezone.utc
SECRET = "s3cret-for-tests"
BASE = "http://portal.example:8000/"
MOMENTS = st.datetimes(min_value=dt.datetime(2001, 1, 1), max_value=dt.datetime(2090, 1, 1), timezones=st.just(UTC))
NAMES = st.text(min_size=1, max_size=40)


def _token(url: str) -> str:
    return url.rsplit(LINK_PATH, 1)[1]


@given(cycle=NAMES, unit=NAMES, stage=st.none() | NAMES, expires=MOMENTS, lead=st.integers(1, 10**8))
def test_a_signed_link_verifies_to_what_was_signed(cycle: str, unit: str, stage: str | None, expires: dt.datetime, lead: int) -> None:
    expires = expires.replace(microsecond=0)
    url = sign_task_link(BASE, SECRET, cycle=cycle, unit=unit, stage=stage, expires=expires)
    assert url.startswith("http://portal.example:8000/t/")
    assert verify_task_link(SECRET, _token(url), expires - dt.timedelta(seconds=lead)) == TaskLink(cycle, unit, stage, expires)
    assert verify_task_link(SECRET, url, expires - dt.timedelta(seconds=lead)).unit == unit  # a whole link works too


@given(expires=MOMENTS, after=st.integers(0, 10**8))
def test_a_link_is_refused_from_its_expiry_on(expires: dt.datetime, after: int) -> None:
    expires = expires.replace(microsecond=0)
    url = sign_task_link(BASE, SECRET, cycle="mile-2018", unit="ML-A01", stage="self_check", expires=expires)
    with pytest.raises(LinkError) as caught:
        verify_task_link(SECRET, _token(url), expires + dt.timedelta(seconds=after))
    assert caught.value.expired
    assert "过期" in str(caught.value)


@given(position=st.integers(0, 10_000), replacement=st.sampled_from("AQwz09-_."))
def test_any_altered_character_is_refused(position: int, replacement: str) -> None:
    expires = dt.datetime(2030, 1, 1, tzinfo=UTC)
    token = _token(sign_task_link(BASE, SECRET, cycle="mile-2018", unit="ML-A01", stage=None, expires=expires))
    position %= len(token)
    altered = token[:position] + replacement + token[position + 1:]
    if altered == token:
        return
    with pytest.raises(LinkError):
        verify_task_link(SECRET, altered, dt.datetime(2020, 1, 1, tzinfo=UTC))


def test_a_link_signed_with_another_secret_or_for_another_unit_is_refused() -> None:
    expires = dt.datetime(2030, 1, 1, tzinfo=UTC)
    now = dt.datetime(2020, 1, 1, tzinfo=UTC)
    mine = _token(sign_task_link(BASE, SECRET, cycle="c", unit="ML-A01", stage=None, expires=expires))
    other = _token(sign_task_link(BASE, SECRET, cycle="c", unit="ML-A02", stage=None, expires=expires))
    with pytest.raises(LinkError) as caught:
        verify_task_link("another-secret", mine, now)
    assert not caught.value.expired
    spliced = mine.split(".")[0] + "." + other.split(".")[1]
    with pytest.raises(LinkError):
        verify_task_link(SECRET, spliced, now)


@pytest.mark.parametrize("token", ["", ".", "abc", "abc.", ".abc", "a.b.c", "%%%.%%%", "中文.签名"])
def test_malformed_tokens_give_one_clear_error(token: str) -> None:
    with pytest.raises(LinkError, match="链接"):
        verify_task_link(SECRET, token, dt.datetime(2020, 1, 1, tzinfo=UTC))


def test_naive_datetimes_and_empty_secrets_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        sign_task_link(BASE, SECRET, cycle="c", unit="u", stage=None, expires=dt.datetime(2030, 1, 1))
    with pytest.raises(ValueError):
        sign_task_link(BASE, "", cycle="c", unit="u", stage=None, expires=dt.datetime(2030, 1, 1, tzinfo=UTC))


def test_the_site_secret_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", secret_key=None)
    first = settings.site_secret()
    assert len(first) >= 48
    assert Settings(home=tmp_path / "home", secret_key=None).site_secret() == first
    assert os.stat(tmp_path / "home" / "secret_key").st_mode & 0o777 == 0o600
    assert Settings(home=tmp_path / "home", secret_key="from-env").site_secret() == "from-env"
