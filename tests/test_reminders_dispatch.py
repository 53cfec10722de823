"""The reminder job on a real database (SQLite, and PostgreSQL when configured): each reminder queued once."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.adapters.base import Delivery, Handler, Outgoing
from bot.core import texts as T
from bot.core.events import ChatKey, Reply
from bot.core.hours import HoursData
from bot.core.i18n import load_i18n
from bot.core.reminders import load_rules
from bot.metrics import Metrics
from bot.outbox import OutboxSender
from bot.reminders import NOT_QUEUED, NOT_SENT, ReminderDispatcher
from storage import repo
from storage.db import Database
from storage.kinds import OutboxKind, OutboxRow, OutboxStatus, Outcome
from storage.models import OutboxMessage, Reminder, ReminderSubscription, User
from tests.conftest import ROOT

I18N = load_i18n(ROOT / "locales", ["de", "ar", "tr"])
RULES = load_rules(ROOT / "dialogs" / "reminders.yaml")
# Sunday 6 December 2026, 18:05 in Bochum: the evening before Mitte's Monday hour (9:00, Familienzentrum).
SUNDAY_EVENING = datetime(2026, 12, 6, 17, 5, tzinfo=UTC)


SATURDAY = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # when the families of these tests subscribed


async def subscribe(db: Database, families: dict[str, str], district: str = "mitte") -> None:
    def write(tx: Session) -> None:
        for key, language in families.items():
            user = repo.touch_user(tx, key)
            repo.set_profile(tx, user.id, language, district)
            tx.add(ReminderSubscription(user_id=user.id, district=district, created_at=SATURDAY))

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
    assert "verlegt" not in texts["telegram:801"]  # the regular hour, where it always is
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


# Monday 7 December 2026 in Bochum: Mitte's hour begins at 9:00 (8:00 UTC); "two hours before" is due at 7:00.
MONDAY_EIGHT = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
MONDAY_NINE_THIRTY = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
FAMILIES = {"telegram:811": "de", "telegram:812": "ar", "telegram:813": "tr"}


def dropped_metric(metrics: Metrics, stage: str) -> float:
    value = metrics.registry.get_sample_value("elternlotse_reminders_dropped_total", {"stage": stage})
    return value or 0.0


class Recorder:
    """A transport that delivers everything and remembers what, so a test sees what a family would get."""

    name = "telegram"

    def __init__(self) -> None:
        self.delivered: list[tuple[str, str]] = []

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def disconnect(self) -> None: ...

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        self.delivered.append((destination, message.reply.text))
        return Delivery(Outcome.SENT, ref=str(len(self.delivered)))


async def test_reminders_missed_while_the_bot_was_down_are_dropped_and_counted_once_when_their_hour_has_begun(
    db: Database, hours: HoursData, caplog: pytest.LogCaptureFixture
) -> None:
    await subscribe(db, FAMILIES)
    metrics = Metrics()
    # The bot was down from Sunday afternoon until Monday 9:30: the evening before and two hours before passed.
    dispatcher = ReminderDispatcher(
        db, hours, RULES, I18N, clock=lambda: MONDAY_NINE_THIRTY, on_dropped=metrics.reminders_missed
    )
    with caplog.at_level(logging.INFO, logger="bot.reminders"):
        first = await dispatcher.run_once()
        again = await dispatcher.run_once()  # the next minute, or another process: counted once
    assert (first.queued, first.dropped, again.queued, again.dropped) == (0, 3, 0, 0)
    assert await reminders_in_outbox(db) == {}  # never sent
    assert dropped_metric(metrics, NOT_QUEUED) == 3
    lines = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert lines == ["reminders dropped, their hour had begun: 3 never queued, 0 not sent"]  # counts, no one named
    rows = await db.run(lambda tx: [(r.rule, r.dropped) for r in tx.scalars(select(Reminder))])
    assert rows == [("two_hours_before", True)] * 3


async def test_a_reminder_missed_while_the_bot_was_down_goes_out_late_once_if_its_hour_is_still_ahead(
    db: Database, hours: HoursData
) -> None:
    await subscribe(db, FAMILIES)
    metrics = Metrics()
    # Down from Sunday afternoon until Monday 8:00: "the evening before" was missed, the hour is still ahead.
    late = ReminderDispatcher(db, hours, RULES, I18N, clock=lambda: MONDAY_EIGHT, on_dropped=metrics.reminders_missed)
    first = await late.run_once()
    assert (first.queued, first.dropped) == (3, 0)  # one each, not "the evening before" and "two hours" at once
    texts = await reminders_in_outbox(db)
    assert sorted(texts) == sorted(FAMILIES) and "09:00" in texts["telegram:811"]
    after = ReminderDispatcher(
        db, hours, RULES, I18N, clock=lambda: MONDAY_NINE_THIRTY, on_dropped=metrics.reminders_missed
    )
    assert (await after.run_once()).dropped == 0  # it was queued: nothing missed
    assert dropped_metric(metrics, NOT_QUEUED) == 0


async def test_a_queued_reminder_whose_hour_began_before_it_could_be_sent_is_dropped_and_counted_not_sent(
    db: Database, hours: HoursData, caplog: pytest.LogCaptureFixture
) -> None:
    # Queued on Sunday evening; the platform, or the bot, was away until Monday 9:01, after the hour began.
    await subscribe(db, FAMILIES)
    await subscribe(db, {"telegram:814": "de"}, district="nord")  # Nord's hour is on Wednesday: still ahead
    now = [SUNDAY_EVENING]
    metrics = Metrics()
    evening = RULES[:1]  # "the evening before" only: nothing else is owed on Monday morning
    dispatcher = ReminderDispatcher(db, hours, evening, I18N, clock=lambda: now[0], on_dropped=metrics.reminders_missed)
    assert (await dispatcher.run_once()).queued == 3
    now[0] = datetime(2026, 12, 7, 8, 1, tzinfo=UTC)
    await db.run(lambda tx: repo.add_outbox_rows(tx, [OutboxRow("telegram:815", Reply("Hallo").to_payload())]))
    transport = Recorder()
    sender = OutboxSender(db, {"telegram": transport}, clock=lambda: now[0], gate=dispatcher.gate, metrics=metrics)
    await sender.flush()
    assert transport.delivered == [("telegram:815", "Hallo")]  # the rest goes out; the late reminders do not
    statuses = await db.run(
        lambda tx: sorted(tx.scalars(select(OutboxMessage.status).where(OutboxMessage.kind == OutboxKind.REMINDER)))
    )
    assert statuses == [OutboxStatus.EXPIRED] * 3
    assert dropped_metric(metrics, NOT_SENT) == 3
    with caplog.at_level(logging.INFO, logger="bot.reminders"):
        await dispatcher.run_once()
    assert "reminders dropped, their hour had begun: 0 never queued, 3 not sent" in caplog.text
    undelivered = await db.run(lambda tx: repo.undelivered(tx, now[0] - timedelta(days=7)))
    assert undelivered == []  # a dropped reminder is no failure for `elternlotse status` to alarm about


async def test_a_reminder_for_an_hour_that_moved_says_so_in_the_familys_language(
    db: Database, hours: HoursData
) -> None:
    # The shipped hours: Nord's Wednesday hour of 18.11.2026 moved to the afternoon and to another place.
    await subscribe(db, {"telegram:821": "de", "telegram:822": "ar"}, district="nord")
    evening_before = datetime(2026, 11, 17, 17, 5, tzinfo=UTC)  # Tuesday, 18:05 in Bochum
    dispatcher = ReminderDispatcher(db, hours, RULES, I18N, clock=lambda: evening_before)
    assert (await dispatcher.run_once()).queued == 2
    texts = await reminders_in_outbox(db)
    german, arabic = texts["telegram:821"], texts["telegram:822"]
    assert "14:00" in german and "Stadtteilbibliothek" in german
    assert german.endswith("\n⚠️ Diese Sprechstunde ist verlegt: Bitte achten Sie auf Zeit und Ort.")
    assert arabic.endswith("\n" + I18N.t("ar", T.REMINDER_MOVED)) and "verlegt" not in arabic
