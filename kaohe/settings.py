"""One typed settings object, read from ``KAOHE_*`` environment variables (and a ``.env`` file).

Read by hand (``kaohe.settingvalues`` parses each kind of value) rather than with pydantic-settings: every
command starts here, and importing pydantic and pydantic-settings took longer than all the rest of a small
command's start-up. Precedence, highest first: values given to ``Settings(...)``, the environment, the
``.env`` file in the working directory, the defaults below. Variable names are case-insensitive.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from kaohe.errors import ConfigError
from kaohe.settingvalues import (
    SecretStr,
    hh_mm,
    parse_bool,
    parse_float,
    parse_int,
    parse_path,
    parse_secret,
    parse_str,
    parse_text_map,
    within,
)

__all__ = ["PROJECT_ROOT", "SecretStr", "Settings", "get_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "KAOHE_"


def setting(default: Any = MISSING, doc: str = "", *, factory: Callable[[], Any] | None = None, gt: float | None = None,
            ge: float | None = None, le: float | None = None, check: Callable[[object], Any] | None = None) -> Any:
    """A settings field: its default (or ``factory``), what it is for, its bounds and an extra ``check``."""
    metadata = {"doc": doc, "bounds": {k: v for k, v in (("gt", gt), ("ge", ge), ("le", le)) if v is not None}, "check": check}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True, init=False)
class Settings:
    """kaohe's configuration. Secrets are ``SecretStr`` (never shown by ``repr``) and come only from the environment.

    ``Settings(**values)`` reads the environment and the ``.env`` file (``_env_file=None``: no file) under
    ``values``; a malformed value is a ConfigError naming its variable, e.g. ``环境变量 KAOHE_SMTP_PORT 无效：应为整数``.
    """

    home: Path = setting(PROJECT_ROOT / ".kaohe", doc="where the default SQLite file, outputs and submissions live")
    database_url: str | None = setting(None, doc="SQLAlchemy URL; default: SQLite file under home")
    schemes_dir: Path = setting(PROJECT_ROOT / "schemes", doc="built-in and local scheme files")
    holidays_file: Path | None = setting(None, doc="override/extension of the working-day table (YAML or JSON)")
    office_hours: str = setting("09:00", check=hh_mm, doc="time of day reminders are sent, Beijing time")
    document_header: str | None = setting(None, doc="发文机关标志 printed above results documents, e.g. 弥勒市扶贫开发领导小组文件")
    document_number: str | None = setting(None, doc="文号 of results documents; {year} becomes the issue year, e.g. 弥挂联办〔{year}〕5号")
    timezone: str = "Asia/Shanghai"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_sender: str = "kaohe@localhost"

    dingtalk_secret: SecretStr | None = None
    feishu_secret: SecretStr | None = None

    lock_timeout_seconds: float = setting(30.0, gt=0, doc="how long an action waits for a cycle another process holds")
    dispatch_batch_size: int = setting(500, ge=1)
    dispatch_concurrency: int = setting(32, ge=1)

    evaluator_url: str | None = setting(None, doc="base URL of the third-party evaluator API (POST /v1/reviews)")
    evaluator_token: SecretStr | None = setting(None, doc="bearer token for the third-party evaluator API")

    smtp_ssl: bool = setting(False, doc="implicit TLS from the first byte (port 465) instead of STARTTLS")
    smtp_timeout_seconds: float = setting(30.0, gt=0, doc="SMTP connect/command timeout")
    wecom_base_url: str = setting("https://qyapi.weixin.qq.com", doc="WeCom robot API base; point at a local receiver to simulate")
    dingtalk_base_url: str = setting("https://oapi.dingtalk.com", doc="DingTalk robot API base")
    feishu_base_url: str = setting("https://open.feishu.cn", doc="Feishu bot API base")

    max_file_bytes: int = setting(200 * 1024 * 1024, ge=1, doc="largest file kaohe reads (reports, sheets, rosters, evidence)")
    max_rows: int = setting(100_000, ge=1, doc="most rows read from a roster or score sheet")
    max_xlsx_uncompressed_bytes: int = setting(512 * 1024 * 1024, ge=1, doc="largest uncompressed content of an XLSX file")
    max_decimal_digits: int = setting(30, ge=1, le=1000, doc="most significant digits of a number in a sheet or command")
    max_decimal_exponent: int = setting(30, ge=1, le=1000, doc="largest magnitude (10^±N) of a number in a sheet or command")
    max_json_depth: int = setting(64, ge=2, le=10_000, doc="deepest nesting of a JSON answer from an external service")
    evaluator_deadline_seconds: float = setting(120.0, gt=0, doc="overall deadline of one call to the evaluator API")

    public_url: str = setting("http://127.0.0.1:8000", doc="base URL of the web portal, used in links sent to people")
    secret_key: SecretStr | None = setting(None, doc="signs task links and sessions; generated once into home/secret_key if unset")
    web_idle_minutes: int = setting(30, ge=1, le=24 * 60, doc="a portal session ends after this long without a request")
    web_lockout_failures: int = setting(5, ge=1, le=100, doc="wrong passwords in a row that lock an account")
    web_lockout_minutes: int = setting(15, ge=1, doc="how long a locked account stays locked")
    web_upload_max_mb: int = setting(100, ge=1, doc="largest upload the portal accepts, in MB (all files of one submission)")
    web_password_max_days: int = setting(90, ge=0, le=3650,
                                         doc="a password older than this many days must be changed before anything else (0: never)")
    web_trusted_user_header: str | None = setting(None, doc="SSO seam: header a trusted proxy sets to the login name (off when unset)")

    digests: bool = setting(True, doc="one escalation (and one reminder) message per recipient per day per channel, listing every item")
    office_name: str | None = setting(None, doc="display name in e-mail From for messages whose cycle names no office (the roster's coordinator row, else the scheme's coordinator, comes first)")
    office_reply_to: str | None = setting(None, doc="Reply-To of e-mail (default: the coordinator's roster e-mail)")
    robot_secrets_file: Path | None = setting(None, doc="YAML/JSON file: robot key/token → its signing secret")
    sms_provider: str | None = setting(None, doc="aliyun or tencent; SMS is off when unset")
    sms_base_url: str | None = setting(None, doc="SMS API endpoint (default: the provider's); point at a local fake to simulate")
    sms_access_key_id: str | None = None
    sms_access_key_secret: SecretStr | None = None
    sms_sdk_app_id: str | None = setting(None, doc="Tencent Cloud SmsSdkAppId")
    sms_sign_name: str | None = setting(None, doc="the approved SMS signature (签名)")
    sms_templates: dict[str, str] = setting(factory=dict, doc='message kind → approved template id, JSON: {"overdue": "SMS_123"}')

    def __init__(self, _env_file: str | Path | None = ".env", **values: Any) -> None:
        self._fill({**_environment(_env_file), **values})

    def _fill(self, values: Mapping[str, object]) -> None:
        unknown = set(values) - _PARSERS.keys()
        if unknown:
            raise TypeError(f"Settings has no field {', '.join(sorted(unknown))}")
        for spec in fields(self):
            if spec.name in values:
                value = _parsed(spec.name, values[spec.name])
            elif callable(spec.default_factory):
                value = spec.default_factory()
            else:
                value = spec.default
            object.__setattr__(self, spec.name, value)

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: ``KAOHE_DATABASE_URL`` or the SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir() / 'kaohe.db'}"

    def home_dir(self) -> Path:
        """``KAOHE_HOME``, created if missing; ConfigError naming the setting if it is not a usable directory."""
        if self.home.exists() and not self.home.is_dir():
            raise ConfigError(f"设置 KAOHE_HOME 指向的 {self.home} 不是目录，请改为一个目录")
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"设置 KAOHE_HOME 指向的目录 {self.home} 无法创建：{error.strerror or error}") from None
        return self.home

    def site_secret(self) -> str:
        """``KAOHE_SECRET_KEY``, or the key kept in ``home/secret_key`` (created, mode 0600, on first use)."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.home / "secret_key"
        if not path.exists():
            import secrets

            self.home.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret_key.{os.getpid()}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)  # atomic: a concurrent first use keeps whichever key landed first
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        key = path.read_text(encoding="utf-8").strip()
        if not key:
            raise ConfigError(f"{path}：密钥文件为空；删除它以重新生成，或设置 KAOHE_SECRET_KEY")
        return key

    def replaced(self, **values: object) -> Settings:
        """These settings with ``values`` in their place (checked like the environment's); the environment is not read."""
        copy = object.__new__(type(self))
        copy._fill({**{spec.name: getattr(self, spec.name) for spec in fields(self)}, **values})
        return copy

    @classmethod
    def builtin(cls) -> Settings:
        """The built-in defaults, whatever the environment holds (the base of a simulation's own settings)."""
        made = object.__new__(cls)
        made._fill({})
        return made


_KINDS: dict[str, Callable[[object], Any]] = {
    "Path": parse_path, "str": parse_str, "int": parse_int, "float": parse_float, "bool": parse_bool,
    "SecretStr": parse_secret, "dict[str, str]": parse_text_map,
}


def _parser(annotation: str) -> tuple[Callable[[object], Any], bool]:
    kind, optional = annotation.removesuffix(" | None"), annotation.endswith(" | None")
    return _KINDS[kind], optional


_PARSERS = {spec.name: (*_parser(str(spec.type)), spec.metadata) for spec in fields(Settings)}


def _parsed(name: str, value: object) -> object:
    parse, optional, metadata = _PARSERS[name]
    if value is None and optional:
        return None
    try:
        parsed = (metadata.get("check") or parse)(value)
        if metadata.get("bounds"):
            within(parsed, **metadata["bounds"])
    except ValueError as error:
        raise ConfigError(f"环境变量 {PREFIX}{name.upper()} 无效：{error}") from None
    return parsed


def _environment(env_file: str | Path | None) -> dict[str, str]:
    """The ``KAOHE_*`` variables by field name (``smtp_port``): the ``.env`` file's, then the environment's over them."""
    sources: list[Mapping[str, str | None]] = []
    if env_file is not None:
        path = Path(env_file).expanduser()
        if path.is_file() or path.is_fifo():
            from dotenv import dotenv_values

            sources.append(dotenv_values(path))
    sources.append(os.environ)
    found: dict[str, str] = {}
    for source in sources:
        for key, value in source.items():
            if value is not None and key[: len(PREFIX)].upper() == PREFIX and key[len(PREFIX):].lower() in _PARSERS:
                found[key[len(PREFIX):].lower()] = value
    return found


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache with ``get_settings.cache_clear()``)."""
    return Settings()
