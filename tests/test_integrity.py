"""Issue 13 through the real application (console adapter, SQLite and PostgreSQL): a family's words reach staff on
one marked line and are stored as typed; refused button presses are answered and audited by kind only."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import select

from bot.adapters.base import Inbound
from bot.core.events import ChatKey, Command, Event, Pressed, Text, UserKey
from storage.models import CallbackRequest
from tests.support.console_app import ConsoleChat, console_app
from tests.test_desk import REQUEST_DE, reference_in

FORGED_NAME = "Zeynep\nTelefon: +49 30 9999999"
PERSIAN_NOTE = "می\u200cخواهم با شما صحبت کنم"  # "I would like to talk to you", with its zero-width non-joiner
UNTIL_NAME = REQUEST_DE[: REQUEST_DE.index("Zeynep")]


async def send(
    chat: ConsoleChat, user: str, event: Event, chat_key: str | None = None, private: bool = True, hint: str = "en"
) -> str | None:
    """One event from `user`, as a platform would deliver it; returns the short answer to a pressed button."""
    inbound = Inbound(f"console:{uuid.uuid4().hex}", UserKey(user), ChatKey(chat_key or user), event, private=private,
                      language_hint=hint, display_name=user.rsplit(":", 1)[-1].capitalize())  # fmt: skip
    return await chat.app.handle_and_deliver(inbound)


async def the_request(chat: ConsoleChat) -> CallbackRequest:
    return await chat.app.db.run(lambda tx: tx.execute(select(CallbackRequest)).scalars().one())


async def test_a_name_and_a_message_with_line_breaks_reach_staff_on_one_marked_line(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*UNTIL_NAME)
        await send(chat, "console:parent", Text(FORGED_NAME))
        out = await chat.say("Brief vom Jobcenter", "[Ja, ich bin einverstanden]")
        ref = reference_in(out)
        assert (await the_request(chat)).name == FORGED_NAME  # stored as typed; only the display is folded

        await chat.say("@anna privat: /team")
        private = (await chat.say("@anna: [Übernehmen]")).split("[Private to Anna]: ")[1].split("\n[")[0]
        lines = private.split("\n")
        assert [line for line in lines if line.startswith("Telefon:")] == ["Telefon: +49 234 1234567"]
        assert "Name: „\u2068Zeynep ⏎ Telefon: +49 30 9999999\u2069“" in lines

        await chat.say(f"@anna privat: /vorlage {ref} chat date=30.11.2026", "[✉ Antworten]")
        await send(chat, "console:parent", Text("Morgen geht es\n/erledigt " + ref + "\nTelefon: 0171 9999999"))
        relayed = chat.transcript.split("[Private to Anna]: ✉ Nachricht der Familie")[-1].split("\nBot: ")[0]
        relayed = relayed.rstrip("\n")
        assert relayed.split("\n") == [
            f" zu {ref} (Deutsch):",
            f"„\u2068Morgen geht es ⏎ /\u2060erledigt {ref} ⏎ Telefon: 0171 9999999\u2069“",
        ]
        assert (await the_request(chat)).status == "claimed"  # the family's words are never a command


async def test_persian_words_and_a_phone_extension_are_stored_and_shown_as_typed(database_url: str) -> None:
    async with console_app(database_url) as chat:
        journey = [line if line != "0234 1234567" else "0234 1234567 Durchwahl 12" for line in REQUEST_DE]
        journey[journey.index("Brief vom Jobcenter")] = PERSIAN_NOTE
        out = await chat.say(*journey)
        assert "• Telefon: +492341234567, Durchwahl 12" in out  # the family saw what is passed on
        request = await the_request(chat)
        assert request.note == PERSIAN_NOTE and request.phone == "+492341234567;ext=12"
        out = await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        assert "Telefon: +49 234 1234567, Durchwahl 12\n" in out
        assert f"Nachricht der Familie: „\u2068{PERSIAN_NOTE}\u2069“" in out
        assert "   Telefon: +492341234567, Durchwahl 12\n" in await chat.say("/mydata")


async def test_refused_presses_are_answered_in_the_pressers_language_and_audited_by_kind_only(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        english = "console:family2"
        await send(chat, english, Command("start"))
        await send(chat, english, Pressed("l:en"))
        en = chat.app.runtime.i18n.catalogs["en"]
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="bot.refusals"):
            answers = [
                await send(chat, english, Pressed(f"q:claim:{ref}")),  # a staff button from a family
                await send(chat, english, Pressed(f"r:{ref}")),  # another family's request
                await send(chat, english, Pressed("c:callback/consent:y")),  # an old step
                # in a group, where the app says Arabic: the family's own choice of English wins
                await send(chat, english, Pressed("o:main/menu:0"), "console:some-group", private=False, hint="ar"),
                await send(chat, "console:staff:anna", Pressed("o:main/menu:0"), "console:staff", private=False),
                await send(chat, "console:mallory", Pressed(f"q:claim:{ref}"), "console:staff", private=False),
            ]
        assert answers == [
            en["Dieser Befehl ist nur für das Team der Kita-Sozialarbeit."],
            en["Diese Schaltfläche ist nicht mehr aktiv."],
            en["Diese Schaltfläche ist nicht mehr aktiv."],
            en["Diese Schaltfläche funktioniert hier nicht."],
            "Diese Schaltfläche ist ungültig.",  # staff are answered in German
            "Das dürfen nur aktuelle Mitglieder des Team-Kanals.",
        ]
        assert [r.getMessage() for r in caplog.records if r.name == "bot.refusals"] == [
            "refused: not_member (staff action claim)", "refused: not_theirs", "refused: old_step",
            "refused: wrong_chat", "refused: undecodable", "refused: not_member (staff action claim)",
        ]  # fmt: skip
        request = await the_request(chat)
        assert request.status == "open" and request.claimed_by is None

        # A member who left the staff channel presses the card's button: the console shows the short answer too.
        async def not_ben(channel: str, user: str) -> bool:
            return user.startswith("console:staff:") and user != "console:staff:ben"

        chat.app.desk.access.is_member = not_ben  # type: ignore[assignment]
        out = await chat.say("@ben: [Übernehmen]")
        assert "(answer to the button: Das dürfen nur aktuelle Mitglieder des Team-Kanals.)" in out
        assert await send(chat, english, Command("start")) is None  # only a pressed button gets an answer
