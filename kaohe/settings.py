"""One typed settings object, read from ``KAOHE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """kaohe's configuration. Secrets are ``SecretStr`` and come only from the environment."""

    model_config = SettingsConfigDict(env_prefix="KAOHE_", env_file=".env", extra="ignore")

    home: Path = Field(default=PROJECT_ROOT / ".kaohe", description="where the default SQLite file, outputs and submissions live")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default: SQLite file under home")
    schemes_dir: Path = Field(default=PROJECT_ROOT / "schemes", description="built-in and local scheme files")
    holidays_file: Path | None = Field(default=None, description="override/extension of the working-day table (YAML or JSON)")
    office_hours: str = Field(default="09:00", description="time of day reminders are sent, Beijing time")
    document_header: str | None = Field(default=None, description="发文机关标志 printed above results documents, e.g. 弥勒市扶贫开发领导小组文件")
    document_number: str | None = Field(default=None, description="文号 of results documents; {year} becomes the issue year, e.g. 弥挂联办〔{year}〕5号")
    timezone: str = "Asia/Shanghai"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_sender: str = "kaohe@localhost"

    dingtalk_secret: SecretStr | None = None
    feishu_secret: SecretStr | None = None

    lock_timeout_seconds: float = Field(default=30.0, gt=0, description="how long an action waits for a cycle another process holds")
    dispatch_batch_size: int = Field(default=500, ge=1)
    dispatch_concurrency: int = Field(default=32, ge=1)

    @field_validator("office_hours")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        hour, _, minute = value.partition(":")
        if not (hour.isdigit() and minute.isdigit() and 0 <= int(hour) < 24 and 0 <= int(minute) < 60):
            raise ValueError("应为 HH:MM，例如 09:00")
        return f"{int(hour):02d}:{int(minute):02d}"

    @property
    def effective_database_url(self) -> str:
        """The database URL in force: ``KAOHE_DATABASE_URL`` or the SQLite file under ``home``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir() / 'kaohe.db'}"

    def home_dir(self) -> Path:
        """``KAOHE_HOME``, created if missing; ConfigError naming the setting if it is not a usable directory."""
        from kaohe.errors import ConfigError

        if self.home.exists() and not self.home.is_dir():
            raise ConfigError(f"设置 KAOHE_HOME 指向的 {self.home} 不是目录，请改为一个目录")
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigError(f"设置 KAOHE_HOME 指向的目录 {self.home} 无法创建：{error.strerror or error}") from None
        return self.home

    evaluator_url: str | None = Field(default=None, description="base URL of the third-party evaluator API (POST /v1/reviews)")
    evaluator_token: SecretStr | None = Field(default=None, description="bearer token for the third-party evaluator API")

    smtp_ssl: bool = Field(default=False, description="implicit TLS from the first byte (port 465) instead of STARTTLS")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, description="SMTP connect/command timeout")
    wecom_base_url: str = Field(default="https://qyapi.weixin.qq.com", description="WeCom robot API base; point at a local receiver to simulate")
    dingtalk_base_url: str = Field(default="https://oapi.dingtalk.com", description="DingTalk robot API base")
    feishu_base_url: str = Field(default="https://open.feishu.cn", description="Feishu bot API base")

    max_file_bytes: int = Field(default=200 * 1024 * 1024, ge=1, description="largest file kaohe reads (reports, sheets, rosters, evidence)")
    max_rows: int = Field(default=100_000, ge=1, description="most rows read from a roster or score sheet")
    max_xlsx_uncompressed_bytes: int = Field(default=512 * 1024 * 1024, ge=1, description="largest uncompressed content of an XLSX file")
    max_decimal_digits: int = Field(default=30, ge=1, le=1000, description="most significant digits of a number in a sheet or command")
    max_decimal_exponent: int = Field(default=30, ge=1, le=1000, description="largest magnitude (10^±N) of a number in a sheet or command")
    max_json_depth: int = Field(default=64, ge=2, le=10_000, description="deepest nesting of a JSON answer from an external service")
    evaluator_deadline_seconds: float = Field(default=120.0, gt=0, description="overall deadline of one call to the evaluator API")

    public_url: str = Field(default="http://127.0.0.1:8000", description="base URL of the web portal, used in links sent to people")
    secret_key: SecretStr | None = Field(default=None, description="signs task links and sessions; generated once into home/secret_key if unset")
    web_idle_minutes: int = Field(default=30, ge=1, le=24 * 60, description="a portal session ends after this long without a request")
    web_lockout_failures: int = Field(default=5, ge=1, le=100, description="wrong passwords in a row that lock an account")
    web_lockout_minutes: int = Field(default=15, ge=1, description="how long a locked account stays locked")
    web_upload_max_mb: int = Field(default=100, ge=1, description="largest upload the portal accepts, in MB (all files of one submission)")
    web_password_max_days: int = Field(default=90, ge=0, le=3650,
                                       description="a password older than this many days must be changed before anything else (0: never)")
    web_trusted_user_header: str | None = Field(default=None, description="SSO seam: header a trusted proxy sets to the login name (off when unset)")

    def site_secret(self) -> str:
        """``KAOHE_SECRET_KEY``, or the key kept in ``home/secret_key`` (created, mode 0600, on first use)."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        path = self.home / "secret_key"
        if not path.exists():
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
            from kaohe.errors import ConfigError

            raise ConfigError(f"{path}：密钥文件为空；删除它以重新生成，或设置 KAOHE_SECRET_KEY")
        return key

    def replaced(self, **values: object) -> Settings:
        """These settings with ``values`` (of each field's type) in their place; the environment is not read."""
        return self.model_copy(update=values)

    @classmethod
    def builtin(cls) -> Settings:
        """The built-in defaults, whatever the environment holds (the base of a simulation's own settings)."""
        return cls.model_construct()

    digests: bool = Field(default=True, description="one escalation (and one reminder) message per recipient per day per channel, listing every item")
    office_name: str | None = Field(default=None, description="display name in e-mail From for messages whose cycle names no office (the roster's coordinator row, else the scheme's coordinator, comes first)")
    office_reply_to: str | None = Field(default=None, description="Reply-To of e-mail (default: the coordinator's roster e-mail)")
    robot_secrets_file: Path | None = Field(default=None, description="YAML/JSON file: robot key/token → its signing secret")
    sms_provider: str | None = Field(default=None, description="aliyun or tencent; SMS is off when unset")
    sms_base_url: str | None = Field(default=None, description="SMS API endpoint (default: the provider's); point at a local fake to simulate")
    sms_access_key_id: str | None = None
    sms_access_key_secret: SecretStr | None = None
    sms_sdk_app_id: str | None = Field(default=None, description="Tencent Cloud SmsSdkAppId")
    sms_sign_name: str | None = Field(default=None, description="the approved SMS signature (签名)")
    sms_templates: dict[str, str] = Field(default_factory=dict, description='message kind → approved template id, JSON: {"overdue": "SMS_123"}')


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache with ``get_settings.cache_clear()``)."""
    return Settings()
