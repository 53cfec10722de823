"""Parents on Matrix: an encrypted direct chat with the real bot process on a real Synapse."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from bot.core.i18n import load_i18n
from tests.matrix.conftest import LANGS, ROOT, MatrixBot, Team
from tests.support.matrix_people import MatrixPerson, Seen

pytestmark = pytest.mark.slow
People = Callable[..., Awaitable[MatrixPerson]]
TRANSLATIONS = load_i18n(ROOT / "locales", LANGS.split(","))


async def direct_chat(parent: MatrixPerson, bot: MatrixBot) -> tuple[str, str]:
    """The parent opens an encrypted direct chat with the bot; returns the room and the bot's greeting."""
    room = await parent.create_room([bot.user_id])
    greeting = await parent.next(room, 0)
    return room, greeting.body


async def test_invited_to_a_direct_chat_the_bot_joins_and_greets_with_the_language_picker(
    people: People, matrix_bot: MatrixBot
) -> None:
    parent = await people("layla")
    room, greeting = await direct_chat(parent, matrix_bot)
    assert parent.client.rooms[room].encrypted
    assert "1. Deutsch" in greeting and "فارسی" in greeting  # the options as a numbered list, each in itself
    assert "Bitte wählen Sie Ihre Sprache." in greeting
    message = parent.rooms[room][0]
    assert message.html is not None and "<br>" in message.html


async def test_commands_work_typed_with_a_slash_or_an_exclamation_mark(people: People, matrix_bot: MatrixBot) -> None:
    parent = await people("omid")
    room, _ = await direct_chat(parent, matrix_bot)
    for typed in ("!emergency", "/emergency", "!Emergency"):
        before = parent.count(room)
        await parent.say(room, typed)
        await parent.wait_until(lambda start=before: any("112" in m.body for m in parent.rooms[room][start:]))
        await parent.next(room, before + 1)  # the language picker follows: nobody chose a language yet


async def test_dynamic_values_are_escaped_in_the_html_body(people: People, matrix_bot: MatrixBot) -> None:
    parent = await people("mina")
    room, _ = await direct_chat(parent, matrix_bot)
    answer = await parent.ask(room, "<b>hallo</b> & <script>")
    assert answer.html is not None and "<script>" not in answer.html and "<b>" not in answer.html


async def test_in_a_room_with_more_people_the_bot_talks_one_to_one_only(people: People, matrix_bot: MatrixBot) -> None:
    parent, friend = await people("sara"), await people("friend")
    room = await parent.create_room([matrix_bot.user_id, friend.user_id], direct=False)
    await parent.wait_until(lambda: len(parent.client.rooms[room].users) == 3
                            and not parent.client.rooms[room].invited_users)  # fmt: skip
    answer = await parent.ask(room, "!callback")
    private_only = TRANSLATIONS.t(
        "de", "Bitte schreiben Sie mir privat. In Gruppen beantworte ich keine Fragen von Familien."
    )
    assert answer.body == private_only


async def test_edits_and_redactions_of_a_command_never_run_it_again(people: People, matrix_bot: MatrixBot) -> None:
    parent = await people("nora")
    room, _ = await direct_chat(parent, matrix_bot)
    before = parent.count(room)
    command = await parent.say(room, "!emergency")
    await parent.wait_until(lambda: parent.count(room) >= before + 2)
    answered = parent.count(room)
    edit = {"msgtype": "m.text", "body": "* !emergency", "m.new_content": {"msgtype": "m.text", "body": "!emergency"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": command}}  # fmt: skip
    await parent.client.room_send(room, "m.room.message", edit, ignore_unverified_devices=True)
    await parent.client.room_redact(room, command)
    marker = await parent.ask(room, "/privacy")  # answered after the edit and the redaction were seen
    assert parent.rooms[room][answered] is marker  # nothing came in between
    assert matrix_bot.query("SELECT count(*) FROM processed_inbound") == [(3,)]  # greeting, command, /privacy


async def test_an_event_the_bot_cannot_decrypt_gets_a_polite_request_to_resend(
    people: People, matrix_bot: MatrixBot
) -> None:
    parent = await people("darya")
    room, _ = await direct_chat(parent, matrix_bot)
    secret = "Mein Mann schlägt mich"  # never in the bot's log: it cannot even read it
    assert parent.client.olm is not None
    # Encrypted with a session the bot never receives: what a client with a broken key share sends.
    garbage = {"algorithm": "m.megolm.v1.aes-sha2", "sender_key": parent.client.olm.account.identity_keys["curve25519"],
               "ciphertext": "AwgAEnB" + secret.encode().hex(), "session_id": "unknownsession", "device_id":
               parent.client.device_id}  # fmt: skip
    before = parent.count(room)
    url = f"{matrix_bot.synapse.url}/_matrix/client/v3/rooms/{room}/send/m.room.encrypted/broken1"
    headers = {"Authorization": f"Bearer {parent.account.access_token}"}
    async with aiohttp.ClientSession() as http:  # as it is: nio would encrypt it once more
        async with http.put(url, json=garbage, headers=headers) as response:
            assert response.status == 200
    answer = await parent.next(room, before, timeout=40)
    unreadable = (
        "Ihre letzte Nachricht kam verschlüsselt an, aber ich konnte sie nicht öffnen. "
        "Bitte schicken Sie sie noch einmal."
    )
    # No language chosen yet: in every enabled language, then the picker.
    lines = [TRANSLATIONS.t(lang, unreadable) for lang in LANGS.split(",")]
    assert answer.body.splitlines()[: len(lines)] == lines and "1. Deutsch" in answer.body
    assert "could not decrypt an event" in matrix_bot.log and secret.encode().hex() not in matrix_bot.log


PHONE = "0234 1234567"
NAME, NOTE = "Zeynep", "Brief vom Jobcenter"


def _plain(text: str) -> str:
    return "".join(ch for ch in text if ch not in "\u2066\u2067\u2068\u2069")


async def choose(parent: MatrixPerson, room: str, german: str, lang: str = "fa", by: str = "number") -> Seen:
    """Answer the newest list by typing the number of the option with this (translated) label, or the label."""
    label = TRANSLATIONS.t(lang, german)
    options = parent.rooms[room][-1].body.splitlines()
    # Right-to-left labels are shown with their numbers bidi-isolated (bot/core/bidi.py): compare without isolates.
    line = next(line for line in options if _plain(line.split(". ", 1)[-1]) == _plain(label))
    return await parent.ask(room, line.split(".", 1)[0] if by == "number" else label.lower())


async def request_callback_in_persian(parent: MatrixPerson, bot: MatrixBot) -> tuple[str, str]:
    """A Persian-speaking parent, in an encrypted direct chat, through the callback request, typing numbers and
    labels; returns the room and the request's reference."""
    room, greeting = await direct_chat(parent, bot)
    number = next(line.split(".")[0] for line in greeting.splitlines() if line.endswith(". فارسی"))
    menu = await parent.ask(room, number)
    assert TRANSLATIONS.t("fa", "📞 Rückruf anfordern") in menu.body
    await choose(parent, room, "📞 Rückruf anfordern")
    await choose(parent, room, "💶 Geld und Leistungen")
    await choose(parent, room, "📞 Bitte anrufen", by="label")  # the label, typed in lower case
    await parent.ask(room, PHONE)
    await choose(parent, room, "Mitte")
    await choose(parent, room, "Vormittags (9–12 Uhr)")
    await choose(parent, room, "In den nächsten Tagen")
    await parent.ask(room, NAME)
    consent = await parent.ask(room, NOTE)
    assert "\u2068+492341234567\u2069" in consent.body  # the number stays readable inside right-to-left text
    confirmation = await choose(parent, room, "Ja, ich bin einverstanden")
    return room, "R-" + confirmation.body.split("R-")[1][:9]


async def test_a_persian_parent_asks_for_a_callback_in_an_encrypted_direct_chat_and_staff_answer_in_persian(
    people: People, matrix_bot: MatrixBot, team: Team
) -> None:
    parent = await people("parisa")
    room, reference = await request_callback_in_persian(parent, matrix_bot)
    assert parent.client.rooms[room].encrypted
    anna = team.anna
    card = await anna.wait_until(lambda: next((m for m in anna.rooms.get(team.room, []) if reference in m.body), None))
    assert "Sprache: Persisch" in card.body and "Kanal: Matrix" in card.body
    for secret in ("+492341234567", "+49 234 1234567", NAME, NOTE):
        assert secret not in card.body

    await anna.say(team.room, "!uebernehmen", thread=card.event_id)
    await anna.wait_until(lambda: any("+49 234 1234567" in m.body for r, ms in anna.rooms.items() if r != team.room
                                      for m in ms))  # fmt: skip
    before = parent.count(room)
    await anna.say(team.room, "!vorlage call date=30.11.2026 time_window=10-12", thread=card.event_id)
    answer = await parent.next(room, before)
    assert "\u206810–12\u2069" in answer.body and reference in answer.body
    assert answer.html is not None and 'dir="rtl"' in answer.html
    await anna.wait_until(lambda: "Antwort: ✔ zugestellt" in card.body)  # the card shows the answer arrived


async def test_nothing_personal_goes_to_a_direct_chat_that_gained_a_third_person(
    people: People, matrix_bot: MatrixBot, team: Team
) -> None:
    parent, friend = await people("shirin"), await people("friend")
    room, reference = await request_callback_in_persian(parent, matrix_bot)
    await parent.client.room_invite(room, friend.user_id)
    await parent.wait_until(lambda: friend.user_id in parent.client.rooms[room].users
                            and not parent.client.rooms[room].invited_users)  # fmt: skip
    anna = team.anna
    card = await anna.wait_until(lambda: next((m for m in anna.rooms.get(team.room, []) if reference in m.body), None))
    await anna.say(team.room, "!uebernehmen", thread=card.event_id)
    await anna.say(team.room, f"!antwort {reference} Wir rufen morgen an.")
    await anna.wait_until(lambda: "Antwort: ✖ nicht zustellbar" in card.body)
    assert not any("Wir rufen morgen an" in m.body for m in friend.rooms.get(room, []))
    assert matrix_bot.query("SELECT error FROM outbox WHERE kind = 'family'") == [("not private",)]
