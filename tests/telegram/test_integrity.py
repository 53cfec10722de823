"""Issue 13 through the real bot process and the Bot API emulator (HTML parse mode, callback queries)."""

from __future__ import annotations

from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import ANNA, BEN, STAFF_GROUP, BotProcess, Person, tr
from tests.telegram.test_journeys import request_callback_in_arabic

FORGED_NAME = "Zeynep\nTelefon: +49 30 9999999"
NOTE = "<b>Brief</b> & Jobcenter, می\u200cخواهم\n/antwort R-2026-0001 erledigt"


async def answer_to(emu: TelegramEmulator, data: str, after: int = 0) -> str | None:
    """The text the bot answered a pressed button's callback query with (None: answered without words)."""
    await emu.wait_for_call("answerCallbackQuery", lambda _: any(a.data == data for a in emu.callback_answers[after:]))
    return next(a.text for a in emu.callback_answers[after:] if a.data == data)


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


async def test_refused_presses_are_answered_in_the_pressers_language(emu: TelegramEmulator, bot: BotProcess) -> None:
    parent, reference = await request_callback_in_arabic(emu, 1012)
    ar = tr("ar")
    old = next(m for m in emu.messages(parent.user.id) if "o:callback/topic:0" in str(m.current.reply_markup))
    answered = len(emu.callback_answers)
    assert all(a.text is None for a in emu.callback_answers)  # the presses of the journey: answered, no words
    parent.user.press(old, ar("💶 Geld und Leistungen"))  # a button of an earlier step
    forged = {"zz:nothing": "Diese Schaltfläche funktioniert hier nicht.",
              "r:R-2026-9999": "Diese Schaltfläche ist nicht mehr aktiv.",  # not this family's request
              f"q:claim:{reference}": "Dieser Befehl ist nur für das Team der Kita-Sozialarbeit."}  # fmt: skip
    for data in forged:
        parent.user.press_data(old.message_id, data)
    assert await answer_to(emu, "o:callback/topic:0", answered) == ar("Diese Schaltfläche ist nicht mehr aktiv.")
    for data, german in forged.items():
        assert await answer_to(emu, data, answered) == ar(german) != german  # in Arabic, the family's language

    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    emu.press_data(ANNA, STAFF_GROUP, card.message_id, "o:main/menu:0")  # a family's button in the staff group
    emu.set_member(STAFF_GROUP, BEN, "left")
    emu.press(BEN, card, "Übernehmen")
    assert await answer_to(emu, "o:main/menu:0") == "Diese Schaltfläche ist ungültig."  # staff: German
    await emu.wait_for_call("answerCallbackQuery", lambda _: any(a.user_id == BEN for a in emu.callback_answers))
    assert [a.text for a in emu.callback_answers if a.user_id == BEN] == [
        "Das dürfen nur aktuelle Mitglieder des Team-Kanals."
    ]
    assert all("Zuständig" not in m.text for m in emu.messages(STAFF_GROUP))

    await bot.stop()
    for kind in ("old_step", "undecodable", "not_theirs", "not_member (staff action claim)"):
        assert f"refused: {kind}" in bot.log
    assert "R-2026-9999" not in bot.log and "zz:nothing" not in bot.log  # the kind only, never the data
