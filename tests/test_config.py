"""Configuration: a bad value stops start-up with one line naming the variable, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ELTERNLOTSE_")}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_bad_time_zone_names_the_variable_and_exits_2() -> None:
    result = run(["check"], ELTERNLOTSE_TIMEZONE="Mars/Olympus_Mons")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "elternlotse: configuration error: ELTERNLOTSE_TIMEZONE: Value error, unknown time zone 'Mars/Olympus_Mons'"
    ]


def test_placeholder_token_is_refused() -> None:
    result = run(["run"], ELTERNLOTSE_TELEGRAM_TOKEN="changeme")
    assert result.returncode == 2
    assert "ELTERNLOTSE_TELEGRAM_TOKEN" in result.stderr and "placeholder" in result.stderr


def test_run_without_any_transport_says_which_variable_to_set(tmp_path: Path) -> None:
    result = run(["run"], ELTERNLOTSE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 2
    assert "ELTERNLOTSE_TELEGRAM_TOKEN" in result.stderr


def test_webhook_without_secret_is_refused() -> None:
    result = run(["check"], ELTERNLOTSE_TELEGRAM_WEBHOOK_URL="https://example.org/hook")
    assert result.returncode == 2
    assert "ELTERNLOTSE_TELEGRAM_WEBHOOK_SECRET" in result.stderr


def test_staff_channel_that_names_no_started_transport_is_refused_at_start_up(tmp_path: Path) -> None:
    # Regression: ELTERNLOTSE_STAFF_CHANNEL=telegram was accepted, then every card failed with an IndexError.
    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    for channel in ("telegram", "matrix:!room:example.org", "telegram:", "telegram:abc", "console:staff"):
        result = run(["run"], ELTERNLOTSE_DATABASE_URL=db, ELTERNLOTSE_TELEGRAM_TOKEN="123:abc",
                     ELTERNLOTSE_STAFF_CHANNEL=channel)  # fmt: skip
        assert result.returncode == 2, channel
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "ELTERNLOTSE_STAFF_CHANNEL" in lines[0], (channel, lines)


def test_bare_transport_name_means_its_configured_staff_group() -> None:
    from bot.config import load_settings

    settings = load_settings(staff_channel="telegram", telegram_staff_chat_id=-1001)
    assert settings.staff_channel_for(["telegram"]) == "telegram:-1001"
    assert load_settings(staff_channel="telegram:-5").staff_channel_for(["telegram"]) == "telegram:-5"


def test_languages_without_a_catalog_are_refused(tmp_path: Path) -> None:
    for languages, word in (("de,xx", "unknown language 'xx'"), ("de,ckb", "has no catalog"), (",", "at least")):
        result = run(["check"], ELTERNLOTSE_LANGUAGES=languages, ELTERNLOTSE_LOCALES_DIR=str(tmp_path))
        assert result.returncode == 2, languages
        assert result.stderr.strip().splitlines() == [
            f"elternlotse: configuration error: {result.stderr.split('error: ', 1)[1].strip()}"
        ]
        assert "ELTERNLOTSE_LANGUAGES" in result.stderr and word in result.stderr


def test_every_language_the_code_knows_is_switched_on_by_default_and_complete() -> None:
    from bot.core.i18n import LANGUAGES

    result = run(["check"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"ok: dialogs and catalogs for {', '.join(LANGUAGES)}"
    assert len(LANGUAGES) == 13 and {"de_easy", "ckb"} <= set(LANGUAGES)


def test_each_transport_declares_the_abilities_the_app_asks_for() -> None:
    # The app asks adapters with isinstance() against small protocols when it is assembled (bot/adapters/base.py);
    # an ability renamed in an adapter must show up here, not as a silently missing feature.
    from bot.adapters.base import (
        ChecksMembership,
        Describes,
        HostsStaffChannel,
        LinksPrivateChat,
        Mentionable,
    )
    from bot.adapters.console import ConsoleAdapter
    from bot.config import Settings
    from bot.metrics import Liveness
    from bot.service import build_adapters

    settings = Settings(telegram_token="123:ABC", telegram_api_url="http://127.0.0.1:9", telegram_staff_chat_id=-100)
    [telegram] = build_adapters(settings)
    for ability in (ChecksMembership, LinksPrivateChat, HostsStaffChannel, Mentionable, Describes, Liveness):
        assert isinstance(telegram, ability), ability.__name__
    telegram.use_staff_channel("telegram:-1009")  # type: ignore[attr-defined]
    assert telegram.staff_chat_id == -1009  # type: ignore[attr-defined]
    assert isinstance(ConsoleAdapter(), ChecksMembership)
    assert not isinstance(ConsoleAdapter(), LinksPrivateChat)


def test_the_app_asks_each_transport_once_whether_it_shows_buttons() -> None:
    from bot.adapters.base import ShowsButtons
    from bot.adapters.console import ConsoleAdapter
    from bot.app import buttonless_transports
    from bot.config import Settings
    from bot.service import build_adapters

    settings = Settings(telegram_token="123:ABC", telegram_api_url="http://127.0.0.1:9", telegram_staff_chat_id=-100)
    [telegram] = build_adapters(settings)
    assert not isinstance(telegram, ShowsButtons)  # Telegram has buttons: nothing to declare
    assert isinstance(ConsoleAdapter(), ShowsButtons)
    assert buttonless_transports([telegram, ConsoleAdapter()]) == frozenset({"console"})


def test_web_chat_settings_are_checked_at_start_up(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    cases = [
        ({"ELTERNLOTSE_WEB_LISTEN": "127.0.0.1:8090"}, "ELTERNLOTSE_WEB_PUBLIC_URL is required"),
        ({"ELTERNLOTSE_WEB_LISTEN": "8090", "ELTERNLOTSE_WEB_PUBLIC_URL": "https://chat.stadt.de/"},
         "ELTERNLOTSE_WEB_LISTEN"),
        # Families' words never cross a network unencrypted: plain http only on the machine itself.
        ({"ELTERNLOTSE_WEB_LISTEN": "127.0.0.1:8090", "ELTERNLOTSE_WEB_PUBLIC_URL": "http://chat.stadt.de/"},
         "ELTERNLOTSE_WEB_PUBLIC_URL"),
        # A CSP source list that could end the header early, or allow everyone, is refused.
        ({"ELTERNLOTSE_WEB_FRAME_ANCESTORS": "'self'; script-src *"}, "ELTERNLOTSE_WEB_FRAME_ANCESTORS"),
        ({"ELTERNLOTSE_WEB_FRAME_ANCESTORS": "*"}, "ELTERNLOTSE_WEB_FRAME_ANCESTORS"),
        # The team never works in the web chat.
        ({"ELTERNLOTSE_WEB_LISTEN": "127.0.0.1:8090", "ELTERNLOTSE_WEB_PUBLIC_URL": "https://chat.stadt.de/",
          "ELTERNLOTSE_STAFF_CHANNEL": "web:staff"}, "ELTERNLOTSE_STAFF_CHANNEL: the web chat is for families"),
        # The web chat alone has nowhere for the team's queue.
        ({"ELTERNLOTSE_WEB_LISTEN": "127.0.0.1:8090", "ELTERNLOTSE_WEB_PUBLIC_URL": "https://chat.stadt.de/"},
         "ELTERNLOTSE_STAFF_CHANNEL"),
    ]  # fmt: skip
    for env, expected in cases:
        result = run(["run"], ELTERNLOTSE_DATABASE_URL=db, **env)
        assert result.returncode == 2, env
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (env, lines)


def test_web_chat_public_url_gets_its_trailing_slash() -> None:
    from bot.config import load_settings

    settings = load_settings(web_listen="127.0.0.1:8090", web_public_url="https://stadt.de/elternchat")
    assert settings.web_public_url == "https://stadt.de/elternchat/"
