"""Before pressing Start a parent sees the bot's description in the language of their Telegram app."""

from __future__ import annotations

from pathlib import Path

from bot.adapters.telegram import TelegramAdapter
from bot.config import load_settings
from bot.core import texts as T
from bot.core.i18n import LANGUAGES, load_i18n
from bot.service import telegram_commands, telegram_descriptions
from tests.support.tg_emulator import TelegramEmulator

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "77:DESCRIBE"


async def start(emu: TelegramEmulator) -> None:
    settings = load_settings(languages=",".join(LANGUAGES))
    adapter = TelegramAdapter(TOKEN, emu.api_url, telegram_commands(settings),
                              descriptions=telegram_descriptions(settings))  # fmt: skip
    await adapter.connect()
    await adapter.disconnect()


async def test_every_language_with_a_telegram_code_gets_its_description_and_german_is_the_default() -> None:
    i18n = load_i18n(ROOT / "locales", list(LANGUAGES))
    async with TelegramEmulator(token=TOKEN) as emu:
        await start(emu)
        two_letter = [code for code in LANGUAGES if len(code) == 2]  # Easy German and Sorani have no Telegram code
        german = (i18n.t("de", T.BOT_DESCRIPTION), i18n.t("de", T.BOT_SHORT_DESCRIPTION))
        assert emu.description_for("") == emu.description_for("zh") == german  # any other app language: German
        for code in two_letter:
            description, short = emu.description_for(code)
            assert description == i18n.t(code, T.BOT_DESCRIPTION) and short == i18n.t(code, T.BOT_SHORT_DESCRIPTION)
            assert "112" in description and "110" in description
        assert emu.description_for("ar")[0] != german[0] and "Jugendamt" in emu.description_for("ar")[0]
        # the menu of commands is there too, in the same languages
        assert {language for scope, language in emu.commands if scope == "default"} == {"", *two_letter}


async def test_a_restart_does_not_set_an_unchanged_description_again() -> None:
    # Telegram limits how often a bot may change its description; a crash loop must not run into that limit.
    async with TelegramEmulator(token=TOKEN) as emu:
        await start(emu)
        first = emu.count_calls("setMyDescription") + emu.count_calls("setMyShortDescription")
        # the default and every two-letter language but German, which the default already shows
        assert first == 2 * (1 + sum(len(code) == 2 and code != "de" for code in LANGUAGES))
        await start(emu)
        assert emu.count_calls("setMyDescription") + emu.count_calls("setMyShortDescription") == first


def test_every_description_fits_telegrams_limits_in_every_language() -> None:
    i18n = load_i18n(ROOT / "locales", list(LANGUAGES))
    for code in LANGUAGES:
        assert len(i18n.t(code, T.BOT_DESCRIPTION)) <= 512, code
        assert len(i18n.t(code, T.BOT_SHORT_DESCRIPTION)) <= 120, code
        if code != "de":
            assert i18n.t(code, T.BOT_DESCRIPTION) != T.BOT_DESCRIPTION, code  # translated, not German
