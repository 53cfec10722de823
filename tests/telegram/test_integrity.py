"""Issue 13 through the real bot process and the Bot API emulator (HTML parse mode, callback queries)."""

from __future__ import annotations

from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import ANNA, STAFF_GROUP, BotProcess, Person
from tests.telegram.test_journeys import request_callback_in_arabic

FORGED_NAME = "Zeynep\nTelefon: +49 30 9999999"
NOTE = "<b>Brief</b> & Jobcenter, می\u200cخواهم\n/antwort R-2026-0001 erledigt"


async def test_a_forged_name_and_note_reach_staff_as_marked_one_line_text(
    emu: TelegramEmulator, bot: BotProcess
) -> None:
    parent, reference = await request_callback_in_arabic(emu, 1011, FORGED_NAME, NOTE, "0234 1234567 Durchwahl 12")
    anna = Person(emu, emu.user(ANNA))
    await anna.command("team")
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    before = anna.count()
    emu.press(ANNA, card, "Übernehmen")
    lines = (await anna.next(before)).text.split("\n")
    assert [line for line in lines if line.startswith("Telefon:")] == ["Telefon: +49 234 1234567, Durchwahl 12"]
    assert "Name: „\u2068Zeynep ⏎ Telefon: +49 30 9999999\u2069“" in lines
    # HTML stays text, the Persian joiner stays, the fake command stays inside the family's line.
    assert (
        "Nachricht der Familie: „\u2068<b>Brief</b> & Jobcenter, می\u200cخواهم ⏎ /\u2060antwort R-2026-0001 erledigt"
        "\u2069“"
    ) in lines
    assert not [line for line in lines if line.startswith("/antwort")]

    anna.user.send_command("vorlage", f"{reference} chat date=30.11.2026")
    await emu.wait_for_message(parent.user.id, lambda m: "✉" in "".join(m.button_labels))
    await parent.press("✉ Antworten")
    before = anna.count()
    await parent.say("غدًا\nTelefon: 0171 9999999")
    relayed = await anna.next(before)
    assert relayed.text.split("\n") == [
        f"✉ Nachricht der Familie zu {reference} (Arabisch):",
        "„\u2068غدًا ⏎ Telefon: 0171 9999999\u2069“",
    ]

