"""Choices typed on a platform without buttons, through the whole application and a real database: the list
survives a restart, and a team member's message or a reminder is answered by its number."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.console import PARENT
from bot.core.events import ChatKey, UserKey
from bot.core.reminders import load_rules
from bot.reminders import ReminderDispatcher
from storage.models import ReminderSubscription
from tests.conftest import ROOT
from tests.support.console_app import ConsoleChat, console_app
from tests.test_desk import REQUEST_DE, reference_in


def last_list(output: str) -> list[str]:
    """The numbered list under the newest message the parent got."""
    lines = output.rsplit("Bot: ", 1)[1].splitlines()
    listed = []
    for line in lines[1:]:
        if line.startswith(("[", ">")):
            break  # what the staff channel got meanwhile, or the next line typed
        if line.startswith("    "):
            listed.append(line.strip())
    return listed


async def test_after_a_restart_the_same_list_is_shown_again_and_its_numbers_still_work(database_url: str) -> None:
    async with console_app(database_url) as chat:
        out = await chat.say("/start", "deutsch", "2")  # German, then the housing topic
        shown = last_list(out)
        assert shown[:2] == ["1. 📞 Ja, bitte melden Sie sich", "2. 🏠 Zurück zu den Themen"]
    async with console_app(database_url) as chat:  # a new process: nothing of the list is kept in memory
        out = await chat.say("?")
        assert last_list(out) == shown
        out = await chat.say("1")
        assert "Gern melden wir uns bei Ihnen." in out


async def test_a_name_that_is_a_number_is_kept_as_the_name(database_url: str) -> None:
    async with console_app(database_url) as chat:
        steps = ["/start", "Deutsch", "Rückruf anfordern", "1", "Bitte anrufen", "0234 1234567", "Mitte", "1", "1"]
        out = await chat.say(*steps)
        assert "mit # und der Zahl, zum Beispiel #1." in out  # how to choose where a bare number is an answer
        out = await chat.say("2", "#1")  # the name "2", then the note skipped
        assert "• Name: 2" in out and "Ihre Nachricht" not in out.rsplit("Bitte lesen Sie kurz", 1)[1]


async def test_the_familys_answer_to_its_team_member_starts_with_the_number_under_the_message(
    database_url: str,
) -> None:
    async with console_app(database_url) as chat:
        ref = reference_in(await chat.say(*REQUEST_DE))
        await chat.say("@anna privat: /team", "@anna: [Übernehmen]")
        out = await chat.say(f"@anna privat: /vorlage {ref} chat date=30.11.2026")
        assert last_list(out) == ["1. ✉ Antworten"]
        out = await chat.say("1")
        assert "Nur sie liest die Nachricht." in out
        out = await chat.say("1")  # the message itself may be just a number
        assert "Danke! Ihre Nachricht ist bei Ihrer Fachkraft angekommen." in out
        assert out.split("[Private to Anna]: ")[1].startswith(f"✉ Nachricht der Familie zu {ref}")


async def test_a_reminder_is_stopped_with_its_number_while_the_family_is_elsewhere(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say("/start", "Deutsch", "/reminders", "Mitte", "Ja, ich bin einverstanden", "/callback")
        dispatcher = reminders_at(chat, datetime(2026, 12, 6, 17, 5, tzinfo=UTC))
        assert (await dispatcher.run_once()).queued == 1
        await chat.app.sender.flush()
        assert last_list(chat.transcript) == ["1. 🔕 Erinnerungen abbestellen"]
        out = await chat.say("1")
        assert "🔕 Erledigt. Sie bekommen keine Erinnerungen mehr." in out
        assert await chat.app.db.run(subscriptions) == 0


def reminders_at(chat: ConsoleChat, now: datetime) -> ReminderDispatcher:
    app = chat.app
    rules = load_rules(ROOT / "dialogs" / "reminders.yaml")
    return ReminderDispatcher(app.db, app.runtime.hours, rules, app.runtime.i18n, lambda: now, app.reminders.buttonless)


def subscriptions(tx: Session) -> int:
    return len(tx.execute(select(ReminderSubscription.id)).all())


async def test_an_adapter_can_have_the_list_shown_again_after_a_restart(database_url: str) -> None:
    async with console_app(database_url) as chat:
        shown = last_list(await chat.say("/start", "Türkçe", "2"))
    async with console_app(database_url) as chat:
        start = len(chat.transcript)
        await chat.app.runtime.show_again(UserKey(PARENT), ChatKey(PARENT))
        await chat.app.sender.flush()
        assert last_list(chat.transcript[start:]) == shown
        await chat.app.runtime.show_again(UserKey("console:nobody"), ChatKey("console:nobody"))  # no conversation
        await chat.app.sender.flush()
        assert "console:nobody" not in chat.transcript
