"""The reminder job on a real database (SQLite, and PostgreSQL when configured): each reminder queued once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.hours import HoursData
from bot.core.i18n import load_i18n
from bot.core.reminders import load_rules
from bot.reminders import ReminderDispatcher
from storage import repo
from storage.db import Database
from storage.kinds import OutboxKind
from storage.models import OutboxMessage, Reminder, ReminderSubscription, User
from tests.conftest import ROOT

I18N = load_i18n(ROOT / "locales", ["de", "ar", "tr"])
RULES = load_rules(ROOT / "dialogs" / "reminders.yaml")
# Sunday 6 December 2026, 18:05 in Bochum: the evening before Mitte's Monday hour (9:00, Familienzentrum).
SUNDAY_EVENING = datetime(2026, 12, 6, 17, 5, tzinfo=UTC)


async def subscribe(db: Database, families: dict[str, str], district: str = "mitte") -> None:
    def write(tx: Session) -> None:
        for key, language in families.items():
            user = repo.touch_user(tx, key)
            repo.set_profile(tx, user.id, language, district)
            tx.add(ReminderSubscription(user_id=user.id, district=district))

    await db.run(write)


async def reminders_in_outbox(db: Database) -> dict[str, str]:
    def read(tx: Session) -> dict[str, str]:
        stmt = select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.REMINDER)
        return {row.destination: row.payload["text"] for row in tx.execute(stmt).scalars()}

    return await db.run(read)


async def test_the_evening_before_each_subscribed_family_gets_one_reminder_in_its_language(
    db: Database, hours: HoursData
) -> None:
    await subscribe(db, {"telegram:801": "de", "telegram:802": "ar", "telegram:803": "tr", "telegram:804": "de"})
    await db.run(lambda tx: setattr(repo.get_user(tx, "telegram:804"), "unreachable", True))  # blocked the bot
    dispatcher = ReminderDispatcher(db, hours, RULES, I18N, clock=lambda: SUNDAY_EVENING)

    first = await dispatcher.run_once()
    again = await dispatcher.run_once()  # the next look, a restart, another process: nothing twice
    assert (first.queued, first.already, again.queued, again.already) == (3, 0, 0, 3)
    texts = await reminders_in_outbox(db)
    assert sorted(texts) == ["telegram:801", "telegram:802", "telegram:803"]
    assert texts["telegram:801"].startswith("Erinnerung an die offene Sprechstunde:\n• ")
    assert "7. Dez." in texts["telegram:801"] and "09:00" in texts["telegram:801"]
    assert "Beispielhaus Mitte" in texts["telegram:801"]
    assert texts["telegram:802"].startswith("تذكير بساعة الاستشارة المفتوحة:")
    assert texts["telegram:803"].startswith("Açık danışma saati hatırlatması:")


async def test_two_dispatchers_at_once_queue_each_reminder_once(db: Database, hours: HoursData) -> None:
    # Only the scheduler leader runs the job; should two ever run at once, the unique key still holds.
    await subscribe(db, {f"telegram:{900 + n}": "de" for n in range(40)})
    dispatchers = [ReminderDispatcher(db, hours, RULES, I18N, clock=lambda: SUNDAY_EVENING) for _ in range(2)]
    results = await asyncio.gather(*(d.run_once() for d in dispatchers), return_exceptions=True)
    queued = sum(r.queued for r in results if not isinstance(r, BaseException))
    if queued < 40:  # the loser's transaction was rolled back whole: it may look again and find nothing to do
        queued += (await dispatchers[0].run_once()).queued
    assert queued == 40
    count = await db.run(lambda tx: (tx.scalar(select(func.count()).select_from(Reminder)),
                                     len(tx.execute(select(User.id)).all())))  # fmt: skip
    assert count == (40, 40)
    assert len(await reminders_in_outbox(db)) == 40
