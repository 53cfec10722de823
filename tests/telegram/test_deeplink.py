"""A family arrives through `t.me/<bot>?start=<payload>` from a Kita's poster: Telegram sends `/start <payload>`."""

from __future__ import annotations

import sqlite3

from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import BotProcess, Person, tr

WELCOME = (
    "Willkommen bei der Kita-Sozialarbeit des Jugendamts. Wir beraten Familien mit Kindern bis zum "
    "Schuleintritt – kostenlos, freiwillig und vertraulich. Sie müssen keinen Antrag stellen."
)


async def test_a_poster_link_opens_in_arabic_with_the_kitas_district(emu: TelegramEmulator, bot: BotProcess) -> None:
    # The app says German (Telegram's language_code is often wrong); the poster the family scanned was Arabic.
    parent = Person(emu, emu.add_user(1001, "Layla", language_code="de"), "ar")
    first = await parent.command("start", "ar-mitte")
    assert tr("ar")(WELCOME)[:30] in first.text and "Willkommen" not in first.text
    labels = [b.label for row in first.buttons for b in row]
    assert "العربية" not in labels and tr("ar")("🌐 Sprache") in labels  # no picker, but one tap away
    hours = await parent.press("🕘 Offene Sprechstunde")
    assert "Mitte" in hours.text and "Wattenscheid" not in hours.text
    with sqlite3.connect(bot.tmp / "bot.db") as conn:
        stored = conn.execute("SELECT language, district FROM users WHERE key = 'telegram:1001'").fetchall()
    assert stored == [("ar", "mitte")]


async def test_a_forged_start_payload_gets_the_language_picker(emu: TelegramEmulator, bot: BotProcess) -> None:
    parent = Person(emu, emu.add_user(1002, "Omar", language_code="ar"))
    first = await parent.command("start", "ar-mitte'--")
    assert tr("ar")("Bitte wählen Sie Ihre Sprache.") in first.text
    assert "العربية" in [b.label for row in first.buttons for b in row]
