"""One typed settings object, read from ELTERNLOTSE_* environment variables and an optional .env file."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_MARKERS = ("changeme", "change-me", "placeholder", "your-token", "xxx")


def _every_language() -> str:
    # Every language the code knows is switched on by default: adding one is its catalog and one line there.
    from bot.core.i18n import LANGUAGES

    return ",".join(LANGUAGES)


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the variable."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment. Secrets never come from the repository."""

    model_config = SettingsConfigDict(env_prefix="ELTERNLOTSE_", env_file=".env", extra="ignore")

    database_url: str = Field(default=f"sqlite+aiosqlite:///{ROOT / 'data' / 'elternlotse.db'}")
    timezone: str = "Europe/Berlin"
    retention_days: int = Field(default=30, ge=1, le=3650)
    session_ttl_hours: int = Field(default=24, ge=1, le=720)
    languages: str = Field(default_factory=lambda: _every_language())  # all of bot/core/i18n.py's LANGUAGES
    dialogs_dir: Path = ROOT / "dialogs"
    locales_dir: Path = ROOT / "locales"
    youth_office_emergency_phone: str = "+49 234 000000 (SAMPLE)"
    office_phone: str = "+49 234 000001 (SAMPLE)"  # the Kita-Sozialarbeit's ordinary number, in every "call us"
    staff_channel: str = "console:staff"
    staff_allowlist: str = ""
    escalate_after_office_hours: float = Field(default=4.0, gt=0)
    metrics_listen: str | None = None  # host:port for /metrics (Prometheus) and /healthz, e.g. 127.0.0.1:9108
    health_window_seconds: float = Field(default=300.0, gt=0)  # /healthz: each transport reached its platform since
    # Several processes on one PostgreSQL: an outbox row is leased to one of them for this long (its holder dies:
    # another delivers it after the lease). Ignored on SQLite, which admits one process.
    outbox_lease_seconds: float = Field(default=60.0, ge=2, le=3600)
    family_messages_per_minute: int = Field(default=30, ge=1, le=600)  # beyond it one polite notice; 🆘 always

    telegram_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_staff_chat_id: int | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8081"  # where our webhook server listens, behind a TLS proxy
    telegram_global_rate: float = Field(default=25.0, gt=0)
    telegram_chat_interval: float = Field(default=1.0, ge=0)  # seconds between messages to one private chat
    telegram_group_interval: float = Field(default=3.0, ge=0)  # 20 messages a minute to one group

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("telegram_token", "telegram_webhook_secret")
    @classmethod
    def _no_placeholder(cls, value: str | None) -> str | None:
        if value is not None and any(m in value.lower() for m in PLACEHOLDER_MARKERS):
            raise ValueError("still holds a placeholder value; set the real secret in the environment")
        return value

    @model_validator(mode="after")
    def _staff_channel_on_telegram(self) -> Settings:
        # A Telegram staff group named by its id becomes the staff channel unless another one is set.
        if self.telegram_staff_chat_id is not None and self.staff_channel == "console:staff":
            self.staff_channel = f"telegram:{self.telegram_staff_chat_id}"
        return self

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_charset(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value):
            raise ValueError("must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.telegram_webhook_url and not self.telegram_webhook_secret:
            raise ValueError("ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET is required with ELTERNLOTSE_TELEGRAM_WEBHOOK_URL")
        return self

    @model_validator(mode="after")
    def _languages_with_catalogs(self) -> Settings:
        # A language without a catalog would show German to a family that chose it; refuse it at start-up.
        from bot.core.i18n import DOMAIN, LANGUAGES, SOURCE_LANGUAGE

        for code in self.language_list:
            if code not in LANGUAGES:
                raise ValueError(f"ELTERNLOTSE_LANGUAGES: unknown language {code!r} (known: {', '.join(LANGUAGES)})")
            if code != SOURCE_LANGUAGE and not (self.locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.po").exists():
                raise ValueError(f"ELTERNLOTSE_LANGUAGES: {code!r} has no catalog in {self.locales_dir}")
        if not self.language_list:
            raise ValueError("ELTERNLOTSE_LANGUAGES: name at least one language")
        return self

    def staff_channel_for(self, transports: list[str]) -> str:
        """The staff channel as a chat key of a started transport; a bare name means its configured group.

        Raises ConfigError naming ELTERNLOTSE_STAFF_CHANNEL when it names nothing that was started.
        """
        channel = self.staff_channel.strip()
        groups = {"telegram": self.telegram_staff_chat_id}
        if channel in transports:
            group = groups.get(channel)
            if group is None:
                raise ConfigError(
                    f"ELTERNLOTSE_STAFF_CHANNEL: {channel!r} needs ELTERNLOTSE_{channel.upper()}_STAFF_CHAT_ID"
                )
            return f"{channel}:{group}"
        transport, _, chat = channel.partition(":")
        if transport not in transports or not chat:
            started = ", ".join(transports) or "none"
            raise ConfigError(
                f"ELTERNLOTSE_STAFF_CHANNEL: {channel!r} is not a chat of a started transport ({started}); "
                f"use e.g. telegram:-1001234567890, or telegram for ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID"
            )
        if transport == "telegram" and not re.fullmatch(r"-?\d+", chat):
            raise ConfigError(f"ELTERNLOTSE_STAFF_CHANNEL: {chat!r} is not a Telegram chat id (a number)")
        return channel

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; raise ConfigError with one line naming the bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        if not err["loc"]:  # a check across variables: its message names them
            raise ConfigError(str(err["msg"]).removeprefix("Value error, ")) from None
        raise ConfigError(f"ELTERNLOTSE_{str(err['loc'][0]).upper()}: {err['msg']}") from None


def load_settings_or_exit(**overrides: Any) -> Settings:
    """For the command line: a bad value stops start-up with one clear line and exit code 2."""
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        print(f"elternlotse: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
