"""The staff queue through the real application and the console adapter: accountable and private."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core.events import ChatKey, Command, Pressed, UserKey
from storage.models import CallbackRequest, RequestEvent
from tests.support.console_app import ConsoleChat, console_app

PHONE_TYPED, PHONE = "0234 1234567", "+492341234567"
NAME, NOTE = "Zeynep", "Brief vom Jobcenter"
REQUEST_DE = [
    "/start", "[Deutsch]", "[📞 Rückruf anfordern]", "[💶 Geld und Leistungen]", "[📞 Bitte anrufen]", PHONE_TYPED,
    "[Mitte]", "[Vormittags (9–12 Uhr)]", "[In den nächsten Tagen]", NAME, NOTE, "[Ja, ich bin einverstanden]",
]  # fmt: skip


def reference_in(output: str) -> str:
    return "R-" + output.split("Anfrage R-")[1][:9]


async def request_as_another_family(chat: ConsoleChat, family: str) -> str:
    """A second family asks for a callback (a family has one open request at a time); returns the reference."""
    user = UserKey(f"console:{family}")
    presses = ["l:de", "o:callback/topic:0", "o:callback/contact_way:0", "o:callback/district:0",
               "o:callback/time_window:2", "o:callback/urgency:1", "k:callback/name:", "k:callback/note:",
               "c:callback/consent:y"]  # fmt: skip
    events = [Command("start"), *(Pressed(data) for data in presses[:1]), Command("callback"),
              *(Pressed(data) for data in presses[1:])]  # fmt: skip
    for event in events:
        await chat.app.handle_and_deliver(Inbound(f"console:{uuid.uuid4().hex}", user, ChatKey(user), event))

    def newest(tx: Session) -> str:
        return str(tx.execute(select(CallbackRequest.reference).order_by(CallbackRequest.id.desc())).scalars().first())

    return await chat.app.db.run(newest)


async def test_claim_sends_details_privately_and_only_the_claimer_answers(database_url: str) -> None:
    async with console_app(database_url) as chat:
        out = await chat.say(*REQUEST_DE)
        ref = reference_in(out)
        card = out.split("[Staff channel]: ")[1]
        for secret in (PHONE, "+49 234 1234567", NAME, NOTE):
            assert secret not in card

        await chat.say("@anna privat: /team")  # Anna opened a private chat with the bot
        out = await chat.say("@anna: [Übernehmen]")
        assert "🔵 übernommen" in out and "Zuständig: Anna" in out
        private = out.split("[Private to Anna]: ")[1]
        assert "+49 234 1234567" in private and NAME in private and NOTE in private
        group = "".join(part for part in out.split("\n[") if part.startswith("Staff channel"))
        assert "+49 234 1234567" not in group and NAME not in group

        out = await chat.say(f"@ben: /uebernehmen {ref}")
        assert f"{ref} ist schon übernommen von Anna." in out
        out = await chat.say(f"@ben: /antwort {ref} Ich rufe morgen an")
        assert "Nur die zuständige Person darf das." in out and "Bot:" not in out


async def test_staff_without_private_chat_is_told_how_to_open_one_and_gets_details_after(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        out = await chat.say("@anna: [Übernehmen]")
        assert "schicke ich nur privat" in out and "[Private to Anna]" not in out
        assert PHONE not in out and "+49 234 1234567" not in out
        out = await chat.say("@anna privat: /team")
        assert f"🔒 Kontaktdaten zu {ref}" in out and "+49 234 1234567" in out


async def test_free_text_in_the_staff_channel_never_reaches_the_family(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        out = await chat.say(
            "@anna: Familie klingt belastet, bitte Frühe Hilfen prüfen", f"@anna: {ref} rufe ich morgen an"
        )
        assert "Bot:" not in out and "[Staff channel]" not in out and "[Private" not in out  # no echo, no relay
        out = await chat.say(f"@anna: /antwort {ref} Wir rufen Sie morgen um 10 Uhr an.")
        assert "Bot: 💬 Nachricht vom Team der Kita-Sozialarbeit zu Ihrer Anfrage" in out
        assert "Wir rufen Sie morgen um 10 Uhr an." in out
        assert "Antwort: ✔ zugestellt" in out  # the card shows the delivery


async def test_template_reply_is_translated_and_lifecycle_is_audited(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        out = await chat.say(f"@anna privat: /vorlage {ref} call date=30.11.2026 time_window=10-12")
        assert "Wir rufen Sie am" in out and "30. Nov" in out and "10–12 Uhr" in out
        out = await chat.say(f"@anna privat: /vorlage {ref} call date=99.99.2026 time_window=10-12")
        assert "Nicht gesendet: Datum „99.99.2026“ nicht erkannt" in out and "Bot:" not in out
        await chat.say(f"@anna: /zurueckgeben {ref}", f"@ben: /uebernehmen {ref}", f"@ben: /erledigt {ref} telefon")
        out = await chat.say(f"@ben: /wiedereroeffnen {ref}")
        assert "🟡 offen" in out

        def history(tx: Session) -> list[tuple[str, str]]:
            stmt = select(RequestEvent.actor, RequestEvent.action).order_by(RequestEvent.id)
            return [(a, b) for a, b in tx.execute(stmt).all()]

        actions = await chat.app.db.run(history)
        assert [a for _, a in actions] == [
            "created", "claimed", "template:call", "delivered", "released", "claimed", "done", "reopened"
        ]  # fmt: skip
        assert actions[1][0] == "console:staff:anna" and actions[5][0] == "console:staff:ben"


async def test_overview_lists_open_and_claimed_with_age_and_owner(database_url: str) -> None:
    async with console_app(database_url) as chat:
        first = reference_in(await chat.say(*REQUEST_DE))
        second = await request_as_another_family(chat, "family2")
        assert second != first
        await chat.say(f"@anna: /uebernehmen {first}")
        out = await chat.say("@ben: /offen")
        assert "Offene und übernommene Anfragen (2):" in out
        assert f"{first} · 🔵 übernommen" in out and out.split(first)[1].split("\n")[0].endswith("Anna")
        assert f"{second} · 🟡 offen" in out


async def test_concurrent_claims_have_exactly_one_winner(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        claims = [
            Inbound(
                f"console:{uuid.uuid4().hex}",
                UserKey(f"console:staff:s{n}"),
                ChatKey("console:staff"),
                Pressed(f"q:claim:{ref}"),
                private=False,
                display_name=f"S{n}",
            )
            for n in range(8)
        ]
        start = len(chat.transcript)
        await asyncio.gather(*(chat.app.desk.handle(claim) for claim in claims))
        await chat.app.sender.flush()
        out = chat.transcript[start:]
        assert out.count("🔵 übernommen") == 1
        assert out.count(f"{ref} ist schon übernommen von") == 7


async def test_staff_command_from_a_non_member_is_refused_in_the_family_language(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        out = await chat.say(f"/uebernehmen {ref}", f"/antwort {ref} hallo")
        assert out.count("Dieser Befehl ist nur für das Team der Kita-Sozialarbeit.") == 2
        forged = Inbound(
            "console:forged", UserKey("console:parent"), ChatKey("console:parent"), Pressed(f"q:claim:{ref}")
        )
        await chat.app.handle_and_deliver(forged)
        request = await chat.app.db.run(lambda tx: tx.execute(select(CallbackRequest)).scalars().first())
        assert request is not None and request.status == "open" and request.claimed_by is None


async def test_after_delete_no_table_holds_phone_name_or_note(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        out = await chat.say("/mydata")
        assert PHONE in out and NAME in out and NOTE in out
        out = await chat.say("/delete", "[Ja, alles löschen]")
        assert "Wir haben alle Ihre Daten gelöscht." in out
        assert "⚪ von der Familie zurückgezogen" in out  # the card says so

        def every_value(tx: Session) -> list[str]:
            values: list[str] = []
            for table in inspect(tx.connection()).get_table_names():
                for row in tx.execute(text(f'SELECT * FROM "{table}"')):
                    values += [str(v) for v in row if v is not None]
            return values

        values = await chat.app.db.run(every_value)
        assert any(ref in v for v in values)  # the scan reads real rows: the anonymous request remains
        for secret in (PHONE, PHONE_TYPED, "+49 234 1234567", NAME, NOTE, "console:parent"):
            assert not [v for v in values if secret in v], secret  # not even the family's chat id


async def test_retention_purge_strips_old_closed_requests_and_keeps_counts(database_url: str) -> None:
    from bot.privacy import purge

    async with console_app(database_url) as chat:
        # One family, one open request at a time: each is closed before the next is asked for.
        old = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {old}", f"@anna: /erledigt {old} telefon")
        recent = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {recent}", f"@anna: /erledigt {recent} telefon")
        still_open = reference_in(await chat.say(*REQUEST_DE))
        now = datetime.now(UTC)

        def age_old(tx: Session) -> None:
            request = tx.execute(select(CallbackRequest).where(CallbackRequest.reference == old)).scalar_one()
            request.closed_at = now - timedelta(days=31)

        await chat.app.db.run(age_old)
        result = await chat.app.db.run(lambda tx: purge(tx, now, 30, 24))
        assert result.requests == 1
        rows = await chat.app.db.run(lambda tx: {r.reference: r for r in tx.execute(select(CallbackRequest)).scalars()})
        assert rows[old].phone is None and rows[old].name is None and rows[old].note is None
        assert rows[old].topic == "money" and rows[old].language == "de"  # the statistics remain
        assert rows[recent].phone == PHONE and rows[still_open].phone == PHONE
        assert len(rows) == 3


async def test_unclaimed_request_is_raised_again_in_office_hours_only(database_url: str) -> None:
    async with console_app(database_url, escalate_after_office_hours=2) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        desk = chat.app.desk

        def backdate(tx: Session) -> None:
            row = tx.execute(select(CallbackRequest).where(CallbackRequest.reference == ref)).scalar_one()
            row.created_at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 local, as the office opens

        await chat.app.db.run(backdate)
        desk.clock = lambda: datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 1.5 office hours later
        assert await chat.app.followup.escalate() == 0
        desk.clock = lambda: datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # 2.5 office hours later
        assert await chat.app.followup.escalate() == 1
        await chat.app.sender.flush()
        assert f"⏰ Seit über 2 Bürostunden nicht übernommen:\n{ref}" in chat.transcript
        desk.clock = lambda: datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
        assert await chat.app.followup.escalate() == 0  # not again until another two office hours have passed
        desk.clock = lambda: datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # a Saturday: the office is closed
        assert await chat.app.followup.escalate() == 0
        desk.clock = lambda: datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Monday again
        assert await chat.app.followup.escalate() == 1


async def test_unknown_command_stays_with_the_family_dialog(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say("/start", "[Deutsch]")
        start = len(chat.transcript)
        await chat.app.handle_and_deliver(
            Inbound("console:x1", UserKey("console:parent"), ChatKey("console:parent"), Command("frobnicate"))
        )
        # The console shows no buttons: the family is asked for a number or a word, not to tap.
        assert "Bitte schreiben Sie die Zahl oder das Wort einer Möglichkeit aus der Liste." in chat.transcript[start:]


async def test_reassign_goes_only_to_a_current_member_and_a_departed_owner_does_not_block(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@ben: /offen", f"@anna: /uebernehmen {ref}")
        out = await chat.say(f"@anna: /uebergeben {ref} mallory")
        assert "kenne ich nicht als aktuelles Mitglied" in out
        out = await chat.say(f"@anna: /uebergeben {ref} Ben")
        assert "Zuständig: Ben" in out

        # Ben leaves the team (in the console: he is no longer a member); Anna may take the request back.
        async def not_ben(channel: str, user: str) -> bool:
            return user.startswith("console:staff:") and user != "console:staff:ben"

        chat.app.desk.access.is_member = not_ben  # type: ignore[assignment]
        out = await chat.say(f"@anna: /zurueckgeben {ref}")
        assert "🟡 offen" in out


async def test_retention_purge_forgets_families_silent_for_the_whole_period(database_url: str) -> None:
    from bot.privacy import purge
    from storage.models import ConsentRecord, User

    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {ref}", f"@anna: /erledigt {ref} telefon")
        later = datetime.now(UTC) + timedelta(days=31)
        result = await chat.app.db.run(lambda tx: purge(tx, later, 30, 24))
        assert result.users == 1 and result.requests == 1
        users = await chat.app.db.run(lambda tx: tx.execute(select(User)).scalars().all())
        consents = await chat.app.db.run(lambda tx: tx.execute(select(ConsentRecord)).scalars().all())
        assert users == [] and consents and all(c.user_id is None for c in consents)


async def test_a_short_number_is_refused_when_last_years_request_with_it_is_still_active(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        this_year = int(ref[2:6])

        def make_last_year(tx: Session) -> None:
            tx.add(CallbackRequest(reference=f"R-{this_year - 1}-0001", topic="money", language="ar",
                                   channel="telegram", contact_way="chat", status="open"))  # fmt: skip

        await chat.app.db.run(make_last_year)
        out = await chat.say("@anna: /uebernehmen 1")
        assert f"Meinen Sie R-{this_year - 1}-0001 oder {ref}?" in out and "🔵 übernommen" not in out
        out = await chat.say(f"@anna: /uebernehmen {ref}")
        assert "🔵 übernommen" in out


async def test_the_family_answers_its_staff_member_privately_and_never_the_group(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        out = await chat.say(f"@anna privat: /vorlage {ref} chat date=30.11.2026")
        assert "1. ✉ Antworten" in out
        out = await chat.say("[✉ Antworten]")
        assert "Nur sie liest die Nachricht." in out
        out = await chat.say("Morgen ab 10 Uhr\nbin ich zu Hause")
        assert "Danke! Ihre Nachricht ist bei Ihrer Fachkraft angekommen." in out
        private = out.split("[Private to Anna]: ")[1]
        assert private.startswith(f"✉ Nachricht der Familie zu {ref} (Deutsch):") and "bin ich zu Hause" in private
        assert "[Staff channel]" not in out.split("[Private to Anna]")[0]  # nothing of it in the group
        out = await chat.say("Noch etwas")  # only the one message after the button goes to Anna
        assert "[Private to Anna]" not in out


async def test_a_forged_reply_button_reaches_nobody(database_url: str) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]", f"@anna: /erledigt {ref} telefon")
        forged = Inbound("console:forged-r", UserKey("console:parent"), ChatKey("console:parent"), Pressed(f"r:{ref}"))
        start = len(chat.transcript)
        notice = await chat.app.handle_and_deliver(forged)  # refused when pressed, not after the family wrote
        assert notice == "Diese Schaltfläche ist nicht mehr aktiv."
        await chat.say("Hallo Anna")
        out = chat.transcript[start:]
        assert "Diese Anfrage ist nicht mehr offen." in out and "[Private to Anna]" not in out


async def test_a_claimed_request_without_answer_or_close_is_raised_again(database_url: str) -> None:
    async with console_app(database_url, escalate_after_office_hours=2) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say(f"@anna: /uebernehmen {ref}")

        def backdate(tx: Session) -> None:
            row = tx.execute(select(CallbackRequest).where(CallbackRequest.reference == ref)).scalar_one()
            row.created_at = row.claimed_at = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday, office opens

        await chat.app.db.run(backdate)
        chat.app.desk.clock = lambda: datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
        assert await chat.app.followup.escalate() == 0
        chat.app.desk.clock = lambda: datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
        assert await chat.app.followup.escalate() == 1
        await chat.app.sender.flush()
        assert f"weder Antwort noch Abschluss:\n{ref} · Anna" in chat.transcript
        await chat.say(f"@anna: /erledigt {ref} telefon")
        chat.app.desk.clock = lambda: datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        assert await chat.app.followup.escalate() == 0  # closed requests are never raised
