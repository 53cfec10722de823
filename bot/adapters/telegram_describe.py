"""What a parent sees of the bot in Telegram before pressing Start: its description and short description."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

log = logging.getLogger(__name__)
DESCRIPTION_MAX, SHORT_DESCRIPTION_MAX = 512, 120  # Bot API limits, in characters


async def describe(bot: Bot, descriptions: dict[str, tuple[str, str]]) -> None:
    """Set (description, short description) per language code ("" = everyone else), where not set already.

    Telegram limits how often a description may change, so an unchanged one is not sent again at every start;
    a refusal is logged and start-up goes on: the bot works without a description.
    """
    for language, (description, short) in descriptions.items():
        code = language or None
        description, short = description[:DESCRIPTION_MAX], short[:SHORT_DESCRIPTION_MAX]
        try:
            if (await bot.get_my_description(code)).description != description:
                await bot.set_my_description(description, language_code=code)
            if (await bot.get_my_short_description(code)).short_description != short:
                await bot.set_my_short_description(short, language_code=code)
        except TelegramError as exc:
            log.warning("could not set the bot's description for %r: %s", language, exc.message)
