"""Asking for reminders and stopping them, through the real application (SQLite, and PostgreSQL when configured):
what the family sees, and what the database then holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.base import Inbound
from bot.core import texts as T
from bot.core.buttons import Remind, RemindAction, encode
from bot.core.events import ChatKey, Pressed, UserKey
from bot.core.i18n import load_i18n
from bot.core.reminders import load_rules
from bot.privacy import purge
from bot.reminders import ReminderDispatcher
from storage import repo
from storage.db import Database
from storage.kinds import OutboxKind, OutboxStatus
from storage.models import ConsentRecord, OutboxMessage, Reminder, ReminderSubscription, User
from tests.conftest import ROOT
from tests.support.console_app import ConsoleChat, console_app

AR = load_i18n(ROOT / "locales", ["de", "ar"])
RULES = load_rules(ROOT / "dialogs" / "reminders.yaml")
SUNDAY_EVENING = datetime(2026, 12, 6, 17, 5, tzinfo=UTC)  # the evening before Mitte's Monday hour
SUBSCRIBE_DE = ["/start", "[Deutsch]", "/reminders", "[Mitte]", "[Ja, ich bin einverstanden]"]


def dispatcher_at(chat: ConsoleChat, now: datetime) -> ReminderDispatcher:
    """The application's reminder job, at a fixed clock."""
    runtime = chat.app.runtime
    reminders = chat.app.reminders
    return ReminderDispatcher(chat.app.db, runtime.hours, RULES, runtime.i18n, lambda: now, reminders.buttonless)


def ar(msgid: str, **params: str) -> str:
    return AR.t("ar", msgid, **params)


async def stored(chat: ConsoleChat) -> tuple[list[tuple[str, str, int, str, str, str, bool]], list[str], int]:
    """Consent records (purpose, text id, version, language, platform, action, linked), districts, reminder rows."""

    def read(tx: Session) -> tuple[list[tuple[str, str, int, str, str, str, bool]], list[str], int]:
        records = tx.execute(select(ConsentRecord).order_by(ConsentRecord.id)).scalars()
        consents = [(c.purpose, c.text_id, c.text_version, c.language, c.platform, c.action, c.user_id is not None)
                    for c in records]  # fmt: skip
        districts = list(tx.execute(select(ReminderSubscription.district)).scalars())
        return consents, districts, len(tx.execute(select(Reminder.id)).all())

    return await chat.app.db.run(read)


async def test_an_arabic_family_asks_for_reminders_on_the_hours_screen_and_is_asked_its_district(
    database_url: str,
) -> None:
    async with console_app(database_url) as chat:
        await chat.say("/start", "[العربية]", f"[{ar('🕘 Offene Sprechstunde')}]")
        out = await chat.say(f"[{ar('🔔 Vor der Sprechstunde erinnern')}]")
        assert ar("🔔 Wir können Ihnen hier vor der offenen Sprechstunde eine kurze Nachricht schicken.") in out
        assert ar("In welchem Stadtbezirk wohnen Sie?") in out and "1. Mitte" in out
        out = await chat.say("[Mitte]")
        assert "• نرسل لكم هنا رسالة قصيرة قبل كل ساعة استشارة." in out  # the consent of its own, in Arabic
        assert "\u2068Mitte\u2069" in out  # the Latin name isolated inside the right-to-left text
        assert (await stored(chat))[:2] == ([], [])  # nothing is stored before the family agrees
        out = await chat.say(f"[{ar(T.AGREE_BUTTON)}]")
        assert "✅" in out and "/reminders" in out
        assert await stored(chat) == (
            [("reminders", "reminders-consent", 1, "ar", "console", "given", True)],
            ["mitte"],
            0,
        )
        out = await chat.say("/mydata")
        assert ar(T.PURPOSES["reminders"]) in out and "Mitte" in out


async def test_a_known_district_is_not_asked_again(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say("/start", "[Deutsch]", "[📞 Rückruf anfordern]", "[💶 Geld und Leistungen]",
                       "[💬 Hier im Chat schreiben]", "[Wattenscheid]", "/start")  # fmt: skip
        out = await chat.say("/reminders")
        assert "In welchem Stadtbezirk wohnen Sie?" not in out
        assert "Erinnerungen an die offene Sprechstunde in Wattenscheid:" in out
        await chat.say("[Ja, ich bin einverstanden]")
        assert (await stored(chat))[1] == ["wattenscheid"]


async def test_reminders_shows_them_moves_them_and_stops_them(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*SUBSCRIBE_DE)
        out = await chat.say("/reminders")
        assert "🔔 Sie bekommen Erinnerungen an die offene Sprechstunde in Mitte." in out
        assert "📍 Anderer Stadtbezirk" in out and "🔕 Erinnerungen abbestellen" in out
        out = await chat.say("[📍 Anderer Stadtbezirk]")
        assert "In welchem Stadtbezirk wohnen Sie?" in out  # asked, though the family's district is known
        out = await chat.say("[Süd]", "[Ja, ich bin einverstanden]")
        assert "Wir erinnern Sie vor der offenen Sprechstunde in Süd." in out
        assert (await stored(chat))[1] == ["sued"]  # moved: still one subscription
        out = await chat.say("/reminders", "[🔕 Erinnerungen abbestellen]")
        assert "🔕 Erledigt. Sie bekommen keine Erinnerungen mehr." in out
        consents, districts, reminders = await stored(chat)
        assert districts == [] and reminders == 0
        assert [c[5] for c in consents] == ["given", "given", "withdrawn"]
        assert consents[-1] == ("reminders", "reminders-consent", 1, "de", "console", "withdrawn", True)
        out = await chat.say("/reminders")  # asked again from the start
        assert "🔔 Wir können Ihnen hier vor der offenen Sprechstunde eine kurze Nachricht schicken." in out


async def test_the_stop_button_under_a_reminder_stops_them_from_any_step(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*SUBSCRIBE_DE)
        await chat.say("/callback")  # in the middle of something else
        dispatcher = dispatcher_at(chat, SUNDAY_EVENING)
        assert (await dispatcher.run_once()).queued == 1
        start = len(chat.transcript)
        await chat.app.sender.flush()
        reminder = chat.transcript[start:]
        assert "Bot: Erinnerung an die offene Sprechstunde:\n• " in reminder
        assert "1. 🔕 Erinnerungen abbestellen" in reminder
        out = await chat.say("[🔕 Erinnerungen abbestellen]")
        assert "🔕 Erledigt. Sie bekommen keine Erinnerungen mehr." in out
        assert "Worum geht es?" in out  # and back to the step the family was at
        consents, districts, reminders = await stored(chat)
        assert (districts, reminders) == ([], 0)
        assert consents[-1][5] == "withdrawn"
        assert (await dispatcher.run_once()).queued == 0


async def test_a_second_stop_is_refused_like_any_outdated_button(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*SUBSCRIBE_DE, "/reminders")
        await chat.say("[🔕 Erinnerungen abbestellen]")
        start = len(chat.transcript)
        # The same button pressed again, say under an older message (a platform with buttons keeps them there).
        stop = Pressed(encode(Remind(RemindAction.STOP)))
        again = Inbound("console:stop-again", UserKey("console:parent"), ChatKey("console:parent"), stop)
        notice = await chat.app.handle_and_deliver(again)
        out = chat.transcript[start:]
        assert notice == "Diese Schaltfläche ist nicht mehr aktiv."
        assert "Sie bekommen keine Erinnerungen. Bestellen: /reminders" in out
        assert [c[5] for c in (await stored(chat))[0]] == ["given", "withdrawn"]  # withdrawn once


async def test_delete_removes_the_subscription_and_what_was_queued(database_url: str) -> None:
    async with console_app(database_url) as chat:
        await chat.say(*SUBSCRIBE_DE, "/delete")
        dispatcher = dispatcher_at(chat, SUNDAY_EVENING)
        assert (await dispatcher.run_once()).queued == 1  # queued, not yet sent
        out = await chat.say("[Ja, alles löschen]")
        assert "Wir haben alle Ihre Daten gelöscht." in out
        assert "Erinnerung an die offene Sprechstunde" not in out  # the queued one never goes out
        consents, districts, reminders = await stored(chat)
        assert (districts, reminders) == ([], 0)
        assert consents == [("reminders", "reminders-consent", 1, "de", "console", "withdrawn", False)]

        def pending(tx: Session) -> int:
            stmt = select(OutboxMessage.id).where(OutboxMessage.kind == OutboxKind.REMINDER,
                                                  OutboxMessage.status == OutboxStatus.PENDING)  # fmt: skip
            return len(tx.execute(stmt).all())

        assert await chat.app.db.run(pending) == 0


async def test_the_purge_keeps_a_silent_family_with_reminders_and_forgets_one_that_blocked_the_bot(
    db: Database,
) -> None:
    long_ago = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    now = long_ago + timedelta(days=400)

    def write(tx: Session) -> None:
        for key, blocked in (("telegram:8101", False), ("telegram:8102", True), ("telegram:8103", False)):
            user = repo.touch_user(tx, key)
            row = tx.get(User, user.id)
            assert row is not None
            row.last_seen_at, row.unreachable = long_ago, blocked
            if key != "telegram:8103":
                sub = ReminderSubscription(user_id=user.id, district="mitte", created_at=long_ago)
                tx.add(sub)
                tx.flush()
                tx.add(Reminder(subscription_id=sub.id, slot_start=long_ago, rule="evening_before", due_at=long_ago))

    await db.run(write)
    result = await db.run(lambda tx: purge(tx, now, retention_days=30, session_ttl_hours=24))
    assert result.users == 2

    def read(tx: Session) -> tuple[list[str], list[str], int]:
        users = sorted(tx.execute(select(User.key)).scalars())
        subscribed = list(tx.execute(select(User.key).join(ReminderSubscription)).scalars())
        return users, subscribed, len(tx.execute(select(Reminder.id)).all())

    assert await db.run(read) == (["telegram:8101"], ["telegram:8101"], 1)
