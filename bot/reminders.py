"""Queues the reminders of consultation hours that are due: one stable scheduled job, run by the scheduler leader.

Each reminder is a row with a unique key (subscription, the hour's start in UTC, rule) written in the same
transaction as its outbox row, so it can be queued once only, whichever process or restart looks. The job's
arguments are nothing: it reads subscriptions from the database, so no personal data and no live object sits in
the scheduler. Reminders go out at the outbox's bulk priority: a family's interactive reply never waits behind them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from bot.core import texts as T
from bot.core.buttons import Remind, RemindAction, button
from bot.core.events import Reply
from bot.core.hours import HoursData, district_ids
from bot.core.i18n import I18n
from bot.core.reminders import Due, ReminderRule, due_reminders
from bot.core.render import slot_line
from bot.figures import Tally, key, office_day
from bot.offers import offered
from storage import repo
from storage.db import Database
from storage.kinds import Figure, OutboxKind, OutboxRow
from storage.models import Reminder, ReminderSubscription, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queued:
    queued: int  # reminders written to the outbox now
    already: int  # due, but queued before (another look, another process, before a restart)


class ReminderDispatcher:
    def __init__(
        self,
        db: Database,
        hours: HoursData,
        rules: tuple[ReminderRule, ...],
        i18n: I18n,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        buttonless: frozenset[str] = frozenset(),
    ) -> None:
        self.db, self.hours, self.rules, self.i18n, self.clock = db, hours, rules, i18n, clock
        self.buttonless = buttonless  # transports that list buttons as numbers: "1" then stops the reminders

    async def run_once(self) -> Queued:
        now = self.clock()
        result = await self.db.run(lambda tx: self.queue_due(tx, now))
        if result.queued:
            log.info("reminders queued: %d", result.queued)  # counts only: who gets one is nobody's log
        return result

    def queue_due(self, tx: Session, now: datetime) -> Queued:
        stmt = select(ReminderSubscription, User).join(User, User.id == ReminderSubscription.user_id)
        subscribed = [(sub, user) for sub, user in tx.execute(stmt).all() if not user.unreachable]
        # Only the districts someone asked for: this runs every minute inside the database's transaction.
        districts = {sub.district for sub, _ in subscribed} & set(district_ids(self.hours))
        due_by_district = {d: due_reminders(self.hours, d, self.rules, now) for d in districts}
        candidates: list[tuple[ReminderSubscription, User, Due]] = [
            (sub, user, due) for sub, user in subscribed for due in due_by_district.get(sub.district, ())
        ]
        if not candidates:
            return Queued(0, 0)
        # The few (hour, rule) pairs due now: which subscriptions already have them (SQLite limits the parameters
        # of one statement, so not one tuple per subscription).
        pairs = list({(due.slot_start, due.rule) for _, _, due in candidates})
        found = tx.execute(
            select(Reminder.subscription_id, Reminder.slot_start, Reminder.rule).where(
                tuple_(Reminder.slot_start, Reminder.rule).in_(pairs)
            )
        ).all()
        done = {(sub_id, start.astimezone(UTC), rule) for sub_id, start, rule in found}
        fresh = [(sub, user, due) for sub, user, due in candidates if (sub.id, due.slot_start, due.rule) not in done]
        for sub, _, due in fresh:
            tx.add(Reminder(subscription_id=sub.id, slot_start=due.slot_start, rule=due.rule, due_at=due.due_at))
        tx.flush()  # the unique key stops a second writer here, before any outbox row exists
        rows = [
            OutboxRow(user.chat or user.key, self.message(user, due), OutboxKind.REMINDER, user.id)
            for _, user, due in fresh
        ]
        repo.add_outbox_rows(tx, rows)
        tally = Tally()
        for _, user, _ in fresh:
            tally.add(Figure.REMINDER_SENT, key(user.language))
        tally.write(tx, office_day(now, self.hours.timezone))
        for row, (_, user, _) in zip(rows, fresh, strict=True):
            if user.key.split(":", 1)[0] in self.buttonless:
                offered(tx, user.id, Reply.from_payload(row.payload), {self.stop_label(user): T.REMINDER_STOP})
        return Queued(len(fresh), len(candidates) - len(fresh))

    def stop_label(self, user: User) -> str:
        return self.i18n.t(user.language or "de", T.REMINDER_STOP)

    def message(self, user: User, due: Due) -> dict[str, object]:
        lang = user.language or "de"
        line = slot_line(self.i18n, self.hours, lang, due.slot)
        text = f"{self.i18n.t(lang, T.REMINDER_HEADER)}\n• {line}"
        stop = button(self.stop_label(user), Remind(RemindAction.STOP))  # one tap, from any step
        return Reply(text, ((stop,),), rtl=self.i18n.is_rtl(lang)).to_payload()
