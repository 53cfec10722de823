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
MATRIX_USER = re.compile(r"@[^:\s]+:[^\s]+")
# Room ids of room version 12 have no server part (!6vVsCU9P…); aliases always have one.
MATRIX_ROOM = re.compile(r"![^\s:]+(:[^\s]+)?|#[^:\s]+:[^\s]+")
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
    telegram_username: str | None = None  # the bot's @username (without @), for t.me links on posters
    telegram_staff_chat_id: int | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_webhook_listen: str = "127.0.0.1:8081"  # where our webhook server listens, behind a TLS proxy
    telegram_global_rate: float = Field(default=25.0, gt=0)
    telegram_chat_interval: float = Field(default=1.0, ge=0)  # seconds between messages to one private chat
    telegram_group_interval: float = Field(default=3.0, ge=0)  # 20 messages a minute to one group

    matrix_homeserver: str | None = None  # e.g. https://matrix.stadt.de; starts Matrix in `elternlotse run`
    matrix_user_id: str | None = None  # the bot's account, e.g. @elternlotse:stadt.de
    matrix_password: str | None = None  # first login only (a secret: environment only)
    matrix_access_token: str | None = None  # instead of the password, with ELTERNLOTSE_MATRIX_DEVICE_ID
    matrix_device_id: str | None = None
    matrix_staff_room: str | None = None  # room id (!abc:stadt.de) or alias (#team:stadt.de)
    # Messages a second the bot sends at most; 429s beyond the homeserver's own limit are honoured as they come.
    matrix_send_rate: float = Field(default=10.0, gt=0)
    matrix_store_dir: Path = ROOT / "data" / "matrix"  # the device's login and its encryption keys

    web_listen: str | None = None  # host:port of the web chat, e.g. 127.0.0.1:8090 behind the city's TLS proxy
    web_public_url: str | None = None  # what families open, e.g. https://chat.stadt.de/ (required with web_listen)
    web_frame_ancestors: str = "'self'"  # who may show the chat in an <iframe>: 'self', 'none' or https:// origins
    web_posts_per_minute: int = Field(default=60, ge=1, le=6000)  # one browser session
    web_address_posts_per_minute: int = Field(default=600, ge=1, le=1_000_000)  # one address (in memory only)
    web_streams_per_address: int = Field(default=500, ge=1, le=1_000_000)  # open pages from one address
    # Several processes (PostgreSQL): how often a page's process looks for messages it was not told of (a broken
    # LISTEN connection); told ones show at once.
    web_shared_recheck_seconds: float = Field(default=1.0, gt=0, le=3600)

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

    @field_validator("telegram_token", "telegram_webhook_secret", "matrix_password", "matrix_access_token")
    @classmethod
    def _no_placeholder(cls, value: str | None) -> str | None:
        if value is not None and any(m in value.lower() for m in PLACEHOLDER_MARKERS):
            raise ValueError("still holds a placeholder value; set the real secret in the environment")
        return value

    @model_validator(mode="after")
    def _staff_channel_on_telegram(self) -> Settings:
        # A staff group or room named by its own variable becomes the staff channel unless another one is set.
        # With both, the operator chooses: moving the queue between platforms must never happen by surprise.
        if self.staff_channel != "console:staff":
            return self
        if self.telegram_staff_chat_id is not None and self.matrix_staff_room:
            raise ValueError(
                "ELTERNLOTSE_STAFF_CHANNEL: both ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID and ELTERNLOTSE_MATRIX_STAFF_ROOM "
                "are set; choose where the queue lives with ELTERNLOTSE_STAFF_CHANNEL=matrix or =telegram"
            )
        if self.telegram_staff_chat_id is not None:
            self.staff_channel = f"telegram:{self.telegram_staff_chat_id}"
        elif self.matrix_staff_room:
            self.staff_channel = f"matrix:{self.matrix_staff_room}"
        return self

    @field_validator("telegram_username")
    @classmethod
    def _telegram_username(cls, value: str | None) -> str | None:
        # Telegram's rule for a bot's username: 5 to 32 of A-Z a-z 0-9 _, beginning with a letter, ending in "bot".
        value = value.removeprefix("@") if value else value
        if value and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{1,29}[Bb][Oo][Tt]", value):
            raise ValueError("must be the bot's username as Telegram shows it, e.g. elternlotse_bot")
        return value or None

    @field_validator("matrix_homeserver")
    @classmethod
    def _homeserver_url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("must be the homeserver's URL, e.g. https://matrix.stadt.de")
        return value.rstrip("/") if value else value

    @field_validator("matrix_user_id")
    @classmethod
    def _matrix_user(cls, value: str | None) -> str | None:
        if value is not None and (not MATRIX_USER.fullmatch(value) or len(value.encode()) > 255):
            raise ValueError("must be a Matrix user id such as @elternlotse:stadt.de")
        return value

    @field_validator("matrix_staff_room")
    @classmethod
    def _matrix_room(cls, value: str | None) -> str | None:
        if value is not None and not MATRIX_ROOM.fullmatch(value):
            raise ValueError("must be a room id (!abc:stadt.de) or an alias (#team:stadt.de)")
        return value

    @model_validator(mode="after")
    def _matrix_complete(self) -> Settings:
        if not self.matrix_homeserver:
            return self
        if not self.matrix_user_id:
            raise ValueError("ELTERNLOTSE_MATRIX_USER_ID is required with ELTERNLOTSE_MATRIX_HOMESERVER")
        if self.matrix_access_token and not self.matrix_device_id:
            raise ValueError("ELTERNLOTSE_MATRIX_DEVICE_ID is required with ELTERNLOTSE_MATRIX_ACCESS_TOKEN")
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

    @field_validator("web_listen")
    @classmethod
    def _web_listen(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[^\s:]*:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5}", value):
            raise ValueError("must be host:port, e.g. 127.0.0.1:8090")
        return value

    @field_validator("web_public_url")
    @classmethod
    def _web_public_url(cls, value: str | None) -> str | None:
        if value is None:
            return value
        found = re.fullmatch(r"(https?)://([^\s/:?#]+)(:\d{1,5})?(/[^\s?#]*)?", value)
        if found is None:
            raise ValueError("must be the chat's public URL, e.g. https://chat.stadt.de/")
        if found[1] == "http" and found[2] not in ("localhost", "127.0.0.1"):
            raise ValueError("must be https:// (families' words never cross the network unencrypted)")
        return value if value.endswith("/") else value + "/"

    @field_validator("web_frame_ancestors")
    @classmethod
    def _frame_ancestors(cls, value: str) -> str:
        from bot.adapters.web_guard import valid_frame_ancestors

        if not valid_frame_ancestors(value):
            raise ValueError("must be 'self', 'none' or origins such as https://www.stadt.de, separated by spaces")
        return value

    @model_validator(mode="after")
    def _web_complete(self) -> Settings:
        if self.web_listen and not self.web_public_url:
            raise ValueError("ELTERNLOTSE_WEB_PUBLIC_URL is required with ELTERNLOTSE_WEB_LISTEN")
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
        if channel.partition(":")[0] == "web":
            raise ConfigError(
                "ELTERNLOTSE_STAFF_CHANNEL: the web chat is for families; the team works in a Telegram group or a "
                "Matrix room"
            )
        groups: dict[str, object] = {"telegram": self.telegram_staff_chat_id, "matrix": self.matrix_staff_room}
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
                f"use e.g. telegram:-1001234567890, or telegram for ELTERNLOTSE_TELEGRAM_STAFF_CHAT_ID "
                f"(matrix for ELTERNLOTSE_MATRIX_STAFF_ROOM)"
            )
        if transport == "telegram" and not re.fullmatch(r"-?\d+", chat):
            raise ConfigError(f"ELTERNLOTSE_STAFF_CHANNEL: {chat!r} is not a Telegram chat id (a number)")
        if transport == "matrix" and not MATRIX_ROOM.fullmatch(chat):
            raise ConfigError(f"ELTERNLOTSE_STAFF_CHANNEL: {chat!r} is not a Matrix room id or alias")
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
