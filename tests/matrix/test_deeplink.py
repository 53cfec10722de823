"""Matrix has no start parameter: a matrix.to link opens a direct chat, the bot greets with the language picker,
and the code printed beside the poster's QR code, typed as `!start ar-mitte`, does what a Telegram deep link does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from bot.core.i18n import load_i18n
from tests.matrix.conftest import LANGS, ROOT, MatrixBot
from tests.matrix.test_parents import direct_chat
from tests.support.matrix_people import MatrixPerson

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]
TRANSLATIONS = load_i18n(ROOT / "locales", LANGS.split(","))
WELCOME = (
    "Willkommen bei der Kita-Sozialarbeit des Jugendamts. Wir beraten Familien mit Kindern bis zum "
    "Schuleintritt – kostenlos, freiwillig und vertraulich. Sie müssen keinen Antrag stellen."
)


async def test_the_posters_code_typed_in_a_direct_chat_switches_to_its_language(
    people: People, matrix_bot: MatrixBot
) -> None:
    parent = await people("hawre")
    room, greeting = await direct_chat(parent, matrix_bot)
    assert "Bitte wählen Sie Ihre Sprache." in greeting
    answer = await parent.ask(room, "!start fa-mitte")
    assert TRANSLATIONS.t("fa", WELCOME)[:30] in answer.body and "Willkommen" not in answer.body
    hours = await parent.ask(room, "!hours")
    assert "Mitte" in hours.body and "Wattenscheid" not in hours.body
