"""The KAOHE_* settings: each kind of value parsed as before, bounds and errors naming the variable, the
``.env`` file under the environment, secrets never shown, ``replaced``, ``builtin`` and the cached settings."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaohe.errors import ConfigError
from kaohe.settings import SecretStr, Settings, get_settings
from kaohe.settingvalues import hh_mm, parse_bool, parse_float, parse_int, parse_text_map, within

TRUE_WORDS = ["1", "on", "t", "true", "y", "yes"]
FALSE_WORDS = ["0", "off", "f", "false", "n", "no"]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No KAOHE_* variable set, the working directory an empty folder (no ``.env``)."""
    import os

    for name in list(os.environ):
        if name.upper().startswith("KAOHE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _spaced(draw: st.DrawFn, text: str) -> str:
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\n"]))


@given(st.integers(), st.data())
def test_an_integer_is_read_back_from_any_of_its_spellings(number: int, data: st.DataObject) -> None:
    sign = "-" if number < 0 else data.draw(st.sampled_from(["", "+"]))
    body = data.draw(st.sampled_from([str(abs(number)), f"{abs(number):_}", f"{abs(number)}.0", f"{abs(number)}.000"]))
    assert parse_int(_spaced(data.draw, sign + body)) == number
    assert parse_int(number) == number


@given(st.text())
def test_any_text_is_an_integer_written_in_ascii_or_refused(text: str) -> None:
    try:
        parsed = parse_int(text)
    except ValueError as error:
        assert str(error) == "应为整数"
        return
    assert text.isascii() and parsed == int(Decimal(text.strip().replace("_", "")))


@pytest.mark.parametrize("value", ["", "abc", "1e2", "25.5", "0x19", "０２５", "1__0", "_1", True, 2.0, None])
def test_integer_refusals(value: object) -> None:
    with pytest.raises(ValueError, match="应为整数"):
        parse_int(value)


@given(st.floats(allow_nan=False), st.data())
def test_a_number_is_read_back_from_its_text(number: float, data: st.DataObject) -> None:
    assert parse_float(_spaced(data.draw, repr(number))) == number
    assert parse_float(number) == number


@given(st.text())
def test_a_number_is_never_nan_and_only_ascii(text: str) -> None:
    try:
        number = parse_float(text)
    except ValueError as error:
        assert str(error) == "应为数字"
        return
    assert not math.isnan(number) and text.isascii()


@pytest.mark.parametrize("value", ["nan", "NaN", "", "0x1", "１", "1,5", False, None])
def test_number_refusals(value: object) -> None:
    with pytest.raises(ValueError, match="应为数字"):
        parse_float(value)


@given(st.sampled_from(TRUE_WORDS + FALSE_WORDS), st.data())
def test_a_switch_is_read_in_any_case(word: str, data: st.DataObject) -> None:
    cased = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in word)
    assert parse_bool(cased) is (word in TRUE_WORDS)


@given(st.text())
def test_any_other_text_is_no_switch(text: str) -> None:
    if text.lower() in TRUE_WORDS + FALSE_WORDS:
        return
    with pytest.raises(ValueError, match="应为 true 或 false"):
        parse_bool(text)


@given(st.dictionaries(st.text(), st.text()))
def test_a_json_object_of_texts_is_read_back(mapping: dict[str, str]) -> None:
    assert parse_text_map(json.dumps(mapping, ensure_ascii=False)) == mapping
    assert parse_text_map(f" {json.dumps(mapping)}\n") == mapping


@pytest.mark.parametrize("text", ["", "nope", "[]", '"x"', "null", '{"a": 1}', '{"a": null}', '{"a": ["b"]}', "[" * 100_000])
def test_anything_but_a_json_object_of_texts_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="应为 JSON 对象"):
        parse_text_map(text)


@given(st.integers(min_value=-5, max_value=5), st.integers(min_value=-5, max_value=5))
def test_bounds(number: int, bound: int) -> None:
    for kind, holds, reason in (("gt", number > bound, "应大于"), ("ge", number >= bound, "应不小于"), ("le", number <= bound, "应不大于")):
        if holds:
            within(number, **{kind: bound})
        else:
            with pytest.raises(ValueError, match=f"{reason} {bound}$"):
                within(number, **{kind: bound})


@given(st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_office_hours_are_normalised(hour: int, minute: int, padded: bool) -> None:
    text = f"{hour:02d}:{minute:02d}" if padded else f"{hour}:{minute}"
    assert hh_mm(text) == f"{hour:02d}:{minute:02d}"


@given(st.text())
def test_office_hours_are_hh_mm_or_refused(text: str) -> None:
    try:
        normal = hh_mm(text)
    except ValueError as error:
        assert str(error) == "应为 HH:MM，例如 09:00"
        return
    hour, minute = normal.split(":")
    assert len(normal) == 5 and 0 <= int(hour) < 24 and 0 <= int(minute) < 60


def test_the_environment_gives_typed_values(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("KAOHE_SMTP_PORT", " 2_525 ")
    clean_env.setenv("kaohe_smtp_starttls", "Yes")
    clean_env.setenv("KAOHE_LOCK_TIMEOUT_SECONDS", "1.5")
    clean_env.setenv("KAOHE_HOME", str(tmp_path / "home"))
    clean_env.setenv("KAOHE_SMS_TEMPLATES", '{"overdue": "SMS_1"}')
    clean_env.setenv("KAOHE_OFFICE_HOURS", "8:5")
    clean_env.setenv("KAOHE_NOT_A_SETTING", "ignored")
    settings = Settings()
    assert (settings.smtp_port, settings.smtp_starttls, settings.lock_timeout_seconds) == (2525, True, 1.5)
    assert settings.home == tmp_path / "home" and settings.sms_templates == {"overdue": "SMS_1"}
    assert settings.office_hours == "08:05"
    assert settings.max_rows == 100_000 and settings.database_url is None


def test_the_env_file_is_read_under_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('# local\nexport KAOHE_SMTP_HOST="mail.example.cn"\nKAOHE_SMTP_PORT=587\nOTHER=1\n', encoding="utf-8")
    clean_env.setenv("KAOHE_SMTP_PORT", "465")
    settings = Settings()
    assert (settings.smtp_host, settings.smtp_port) == ("mail.example.cn", 465)
    assert Settings(_env_file=None).smtp_host == "127.0.0.1"
    assert Settings(smtp_host="given").smtp_host == "given"


@pytest.mark.parametrize(("name", "value", "why"), [
    ("KAOHE_SMTP_PORT", "abc", "应为整数"),
    ("KAOHE_MAX_ROWS", "0", "应不小于 1"),
    ("KAOHE_MAX_DECIMAL_DIGITS", "1001", "应不大于 1000"),
    ("KAOHE_LOCK_TIMEOUT_SECONDS", "0", "应大于 0"),
    ("KAOHE_SMTP_SSL", "maybe", "应为 true 或 false"),
    ("KAOHE_OFFICE_HOURS", "25:00", "应为 HH:MM，例如 09:00"),
    ("KAOHE_SMS_TEMPLATES", "overdue=SMS_1", "应为 JSON 对象"),
])
def test_a_bad_value_names_its_variable_and_why(clean_env: pytest.MonkeyPatch, name: str, value: str, why: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        Settings()
    assert str(raised.value).startswith(f"环境变量 {name} 无效：{why}")


def test_secrets_never_show(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("KAOHE_SMTP_PASSWORD", "hunter2-mail")
    settings = Settings(secret_key="hunter2-site", evaluator_token=SecretStr("hunter2-token"))
    shown = repr(settings) + str(settings) + str(settings.smtp_password) + repr(settings.secret_key)
    assert "hunter2" not in shown and "**********" in shown
    assert settings.smtp_password is not None and settings.smtp_password.get_secret_value() == "hunter2-mail"
    assert settings.site_secret() == "hunter2-site"
    assert settings.evaluator_token == SecretStr("hunter2-token")


def test_replaced_checks_values_and_leaves_the_original(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    original = Settings()
    clean_env.setenv("KAOHE_SMTP_HOST", "from-env")
    changed = original.replaced(smtp_port="2525", home=str(tmp_path))
    assert (changed.smtp_port, changed.home, changed.smtp_host) == (2525, tmp_path, "127.0.0.1")
    assert original.smtp_port == 25 and original != changed
    with pytest.raises(ConfigError, match="KAOHE_WEB_IDLE_MINUTES"):
        original.replaced(web_idle_minutes=0)
    with pytest.raises(TypeError, match="smtp_prot"):
        original.replaced(smtp_prot=1)


def test_builtin_ignores_the_environment(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_env.setenv("KAOHE_SMTP_PORT", "not even a number")
    (tmp_path / ".env").write_text("KAOHE_SMTP_HOST=elsewhere\n", encoding="utf-8")
    assert (Settings.builtin().smtp_port, Settings.builtin().smtp_host) == (25, "127.0.0.1")


def test_the_settings_are_read_once_until_the_cache_is_cleared(clean_env: pytest.MonkeyPatch) -> None:
    get_settings.cache_clear()
    clean_env.setenv("KAOHE_SMTP_PORT", "1025")
    first = get_settings()
    clean_env.setenv("KAOHE_SMTP_PORT", "2025")
    assert get_settings() is first and first.smtp_port == 1025
    get_settings.cache_clear()
    assert get_settings().smtp_port == 2025
    get_settings.cache_clear()
