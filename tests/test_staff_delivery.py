"""What reaches a staff member's private chat, and what is taken back, through the real application (console)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core.events import ChatKey, Command, Text, UserKey
from bot.privacy import purge
from storage.models import CallbackRequest, DetailsCopy, OutboxMessage
from tests.support.console_app import console_app
from tests.test_desk import NAME, REQUEST_DE, reference_in


def staff_line(who: str, command: str, args: str, private: bool = False) -> Inbound:
    chat = f"console:dm:{who}" if private else "console:staff"
    return Inbound(f"console:{uuid.uuid4().hex}", UserKey(f"console:staff:{who}"), ChatKey(chat),
                   Command(command, args), private=private, display_name=who.capitalize())  # fmt: skip


async def test_a_team_member_starting_the_bot_privately_is_not_taken_for_a_parent(database_url: str) -> None:
    async with console_app(database_url) as chat:
        out = await chat.say("@anna privat: /start")
        assert "[Private to Anna]: 🔒 Sie gehören zum Team-Kanal." in out and "[Deutsch]" not in out
        out = await chat.say("/start")  # the parent in the same console still gets the language picker
        assert "1. Deutsch" in out and "Team-Kanal" not in out


async def test_details_written_for_someone_no_longer_responsible_are_never_sent(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team")
        start = len(chat.transcript)
        # Claimed and given back before the sender ran: the details row waits in the outbox meanwhile.
        await chat.app.desk.handle(staff_line("anna", "uebernehmen", ref))
        await chat.app.desk.handle(staff_line("anna", "zurueckgeben", ref))
        await chat.app.sender.flush()
        assert NAME not in chat.transcript[start:] and "[Private to Anna]" not in chat.transcript[start:]

        def details(tx: Session) -> list[tuple[str, str | None]]:
            rows = tx.execute(select(OutboxMessage).where(OutboxMessage.kind == "details")).scalars()
            return [(r.status, r.error) for r in rows]

        assert await chat.app.db.run(details) == [("failed", "not responsible")]


async def test_retention_purge_takes_back_details_still_shown_for_a_closed_request(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        out = await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        assert NAME in out.split("[Private to Anna]: 🔒 Kontaktdaten")[1]
        long_ago = datetime.now(UTC) - timedelta(days=40)

        def closed_without_taking_back(tx: Session) -> None:
            # A request closed by an earlier version of the bot, which did not take details back yet.
            stmt = update(CallbackRequest).where(CallbackRequest.reference == ref)
            tx.execute(stmt.values(status="done", closed_at=long_ago))

        await chat.app.db.run(closed_without_taking_back)
        assert len(await chat.app.db.run(lambda tx: tx.execute(select(DetailsCopy)).all())) == 1
        start = len(chat.transcript)
        result = await chat.app.db.run(lambda tx: purge(tx, datetime.now(UTC), 30, 24))
        await chat.app.sender.flush()
        assert result.requests == 1
        assert "[Private to Anna]: (message" in chat.transcript[start:] and "removed)" in chat.transcript[start:]
        assert await chat.app.db.run(lambda tx: tx.execute(select(DetailsCopy)).all()) == []


async def test_a_family_message_that_waited_while_the_request_was_handed_over_reaches_the_new_person(
    database_url: str,
) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@ben privat: /team", "@anna: [Übernehmen]")
        await chat.say(f"@anna privat: /vorlage {ref} chat date=30.11.2026", "[✉ Antworten]")
        parent = UserKey("console:parent")
        # The family's words are written for Anna; before they go out, Anna hands the request to Ben.
        await chat.app.handle(Inbound("console:words", parent, ChatKey(parent), Text("Morgen ab 10 Uhr zu Hause")))
        await chat.app.desk.handle(staff_line("anna", "uebergeben", f"{ref} Ben"))
        start = len(chat.transcript)
        await chat.app.sender.flush()
        messages = chat.transcript[start:].split("\n[")
        with_words = [m.split("]:")[0] for m in messages if "Morgen ab 10 Uhr zu Hause" in m]
        assert with_words == ["Private to Ben"]  # Ben, responsible now, reads it; Anna never gets it
