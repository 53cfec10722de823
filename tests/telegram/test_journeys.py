"""Journeys through the real bot process and the Bot API emulator: families in Arabic, staff in a group."""

from __future__ import annotations

from tests.support.tg_emulator import TelegramEmulator
from tests.telegram.conftest import ANNA, BEN, STAFF_GROUP, TRANSLATIONS, BotProcess, Person, tr

PHONE_TYPED = "0234 1234567"
NAME, NOTE = "Zeynep", "Brief vom Jobcenter"


async def request_callback_in_arabic(
    emu: TelegramEmulator, user_id: int = 1001, name: str = NAME, note: str = NOTE, phone: str = PHONE_TYPED
) -> tuple[Person, str]:
    """An Arabic-speaking parent goes from /start through the callback request; returns the reference."""
    parent = Person(emu, emu.add_user(user_id, "Layla", language_code="ar"), "ar")
    first = await parent.command("start")
    assert "العربية" in [b.label for row in first.buttons for b in row]
    assert tr("ar")("Bitte wählen Sie Ihre Sprache.") in first.text  # before any German sentence to understand
    await parent.press("العربية", translate=False)
    await parent.press("📞 Rückruf anfordern")
    await parent.press("💶 Geld und Leistungen")
    await parent.press("📞 Bitte anrufen")
    await parent.say(phone)
    await parent.press("Mitte", translate=False)
    await parent.press("Vormittags (9–12 Uhr)")
    await parent.press("In den nächsten Tagen")
    await parent.say(name)
    consent = await parent.say(note)
    assert "\u2068+492341234567\u2069" in consent.text  # the number stays readable inside right-to-left text
    confirmation = await parent.press("Ja, ich bin einverstanden")
    reference = "R-" + confirmation.text.split("R-")[1][:9]
    arabic = TRANSLATIONS.catalogs["ar"]
    saved = "Danke! Wir haben Ihre Anfrage gespeichert."
    thanks = next(text for msgid, text in arabic.items() if msgid.startswith(saved))
    assert confirmation.text.startswith(thanks.split("{reference}")[0])
    return parent, reference


async def test_arabic_parent_through_the_callback_request(emu: TelegramEmulator, bot: BotProcess) -> None:
    _, reference = await request_callback_in_arabic(emu)
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    assert "Sprache: Arabisch" in card.text and "Thema: Geld und Leistungen" in card.text
    for secret in ("+492341234567", "+49 234 1234567", NAME, NOTE):
        assert secret not in card.text  # a Telegram group never sees contact details
    assert [b.label for row in card.buttons for b in row] == ["Übernehmen"]


async def test_commands_are_registered_per_language(emu: TelegramEmulator, bot: BotProcess) -> None:
    assert "elternlotse: started telegram (polling); staff channel on telegram" in bot.log  # says what it started
    arabic = dict(emu.commands[("default", "ar")])
    assert set(arabic) >= {"start", "hours", "callback", "language", "help", "privacy", "mydata", "delete",
                           "emergency", "reminders"}  # fmt: skip
    assert arabic["delete"] == tr("ar")("Alle meine Daten löschen") != "Alle meine Daten löschen"
    assert dict(emu.commands[("default", "")])["delete"] == "Alle meine Daten löschen"
    assert "uebernehmen" in dict(emu.commands[(f"chat:{STAFF_GROUP}", "")])


async def test_staff_claim_and_template_reply_arrive_in_arabic(emu: TelegramEmulator, bot: BotProcess) -> None:
    parent, reference = await request_callback_in_arabic(emu)
    anna = Person(emu, emu.user(ANNA))
    await anna.command("team")  # Anna opens her private chat with the bot
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    before = anna.count()
    emu.press(ANNA, card, "Übernehmen")
    details = await anna.next(before)
    assert f"🔒 Kontaktdaten zu {reference}" in details.text and "+49 234 1234567" in details.text
    assert NAME in details.text and NOTE in details.text
    await emu.wait_for_message(STAFF_GROUP, lambda m: "Zuständig: Anna" in m.text)
    for message in emu.messages(STAFF_GROUP):
        assert "+49 234 1234567" not in message.text and NAME not in message.text

    before_family = parent.count()
    anna.user.send_command("vorlage", f"{reference} call date=30.11.2026 time_window=10-12")
    reply = await parent.next(before_family)
    expected = tr("ar")(
        "Guten Tag, hier ist die Kita-Sozialarbeit des Jugendamts. "
        "Wir rufen Sie am {date} zwischen {time_window} Uhr an."
    )
    assert expected.split("{date}")[0] in reply.text
    assert "10–12" in reply.text and "2026" in reply.text
    await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text and "✔ zugestellt" in m.text)

    # The family answers with the button under the team's message; only Anna, privately, reads it.
    await parent.press("✉ Antworten")
    before_anna, before_group = anna.count(), len(emu.messages(STAFF_GROUP))
    thanks = await parent.say("غدًا بعد الساعة العاشرة")
    assert thanks.text == tr("ar")("Danke! Ihre Nachricht ist bei Ihrer Fachkraft angekommen.")
    relayed = await anna.next(before_anna)
    assert relayed.text.startswith(f"✉ Nachricht der Familie zu {reference} (Arabisch):")
    assert "غدًا بعد الساعة العاشرة" in relayed.text
    assert all("غدًا" not in m.text for m in emu.messages(STAFF_GROUP)[before_group:])

    ben = Person(emu, emu.user(BEN))
    before = len(emu.messages(STAFF_GROUP))
    ben.user.send_command("uebernehmen", reference, chat_id=STAFF_GROUP)
    refusal = await emu.wait_for_message(STAFF_GROUP, after=before)
    assert refusal.text == f"{reference} ist schon übernommen von Anna."


async def test_forged_callback_data_from_a_non_staff_user_is_refused(emu: TelegramEmulator, bot: BotProcess) -> None:
    parent, reference = await request_callback_in_arabic(emu)
    intruder = Person(emu, emu.add_user(6666, "Mallory", language_code="de"))
    greeting = await intruder.command("start")
    before = intruder.count()
    emu.press_data(6666, 6666, greeting.message_id, f"q:claim:{reference}")
    answer = await intruder.next(before)
    assert answer.text == "Dieser Befehl ist nur für das Team der Kita-Sozialarbeit."
    # Even inside the staff group, someone who is no longer a member is refused.
    emu.set_member(STAFF_GROUP, BEN, "left")
    card = await emu.wait_for_message(STAFF_GROUP, lambda m: reference in m.text)
    before = len(emu.messages(STAFF_GROUP))
    emu.press(BEN, card, "Übernehmen")
    refusal = await emu.wait_for_message(STAFF_GROUP, after=before)
    assert "nur aktuelle Mitglieder" in refusal.text
    assert all("Zuständig" not in m.text for m in emu.messages(STAFF_GROUP))
    assert parent.count() > 0


async def test_stickers_groups_and_channel_posts_get_polite_answers(emu: TelegramEmulator, bot: BotProcess) -> None:
    parent = Person(emu, emu.add_user(1002, "Omar", language_code="ar"), "ar")
    await parent.command("start")
    await parent.press("العربية", translate=False)
    before = parent.count()
    parent.user.send_sticker()
    answer = await parent.next(before)
    assert answer.text.startswith(tr("ar")(
        "Sticker, Sprachnachrichten, Bilder und Dateien kann ich leider nicht lesen. "
        "Bitte tippen Sie auf eine Schaltfläche oder schreiben Sie kurz."
    ))  # fmt: skip
    parent.user.send_voice()
    await parent.next(before + 1)
    emu.add_group(-500, "Elterncafé")
    emu.set_member(-500, 1002, "member")
    emu.post_channel(-100999, "Neuigkeiten")
    emu.send_command(1002, "start", chat_id=-500)
    polite = await emu.wait_for_message(-500)
    assert polite.text == tr("ar")(
        "Bitte schreiben Sie mir privat. In Gruppen beantworte ich keine Fragen von Familien."
    )
    emu.send_text(1002, "Hallo zusammen", chat_id=-500)
    await parent.say("/hours")  # the bot is still alive and answering
    assert len(emu.messages(-500)) == 1  # chatter in a group is not answered


async def test_html_and_bidi_tricks_in_a_name_are_shown_as_text(emu: TelegramEmulator, bot: BotProcess) -> None:
    parent, reference = await request_callback_in_arabic(emu, 1003)
    anna = Person(emu, emu.user(ANNA))
    await anna.command("team")
    await anna.command("uebernehmen", reference)
    before_family = parent.count()
    anna.user.send_command("antwort", f"{reference} Wir rufen <b>morgen</b> & übermorgen an")
    reply = await parent.next(before_family)
    assert "Wir rufen <b>morgen</b> & übermorgen an" in reply.text  # escaped, not parsed
    assert tr("ar")(
        "Diese Nachricht ist auf Deutsch. Wenn Sie etwas nicht verstehen, schreiben Sie uns: "
        "Wir organisieren kostenlos eine Dolmetscherin oder einen Dolmetscher."
    ) in reply.text  # fmt: skip
