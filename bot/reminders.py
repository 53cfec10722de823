"""Queues the reminders of consultation hours that are due: one stable scheduled job, run by the scheduler leader.

Each reminder is a row with a unique key (subscription, the hour's start in UTC, rule) written in the same
transaction as its outbox row, so it can be queued once only, whichever process or restart looks. The job's
arguments are nothing: it reads subscriptions from the database, so no personal data and no live object sits in
the scheduler. Reminders go out at the outbox's bulk priority: a family's interactive reply never waits behind them.

A reminder missed while the bot was down goes out late if its hour is still ahead; once the hour has begun it is
dropped and counted, never sent: one that was never queued gets a row marked dropped (so it is counted once), one
that waited in the outbox is stopped at the sender's gate (`gate`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot.adapters.base import Delivery
from bot.core import texts as T
from bot.core.buttons import Remind, RemindAction, button
from bot.core.events import Reply
from bot.core.hours import HoursData, district_ids, next_slots
from bot.core.i18n import I18n
from bot.core.reminders import Due, ReminderRule, due_reminders
from bot.core.render import slot_line
from bot.figures import Tally, key, office_day
from bot.offers import offered
from storage import repo
from storage.db import Database
from storage.kinds import Figure, OutboxKind, OutboxRow, Outcome
from storage.models import OutboxMessage, Reminder, ReminderSubscription, User

log = logging.getLogger(__name__)
# How far back an hour that has begun is looked at for a reminder it never got (a downtime longer than this is
# counted only for the hours within it).
LOOKBACK = timedelta(days=7)
EXPIRES = "expires_at"  # the payload's delivery hint: the hour's start; a reminder is not sent after it
NOT_QUEUED, NOT_SENT = "not_queued", "not_sent"  # where a dropped reminder stopped (the metric's label)
DroppedHook = Callable[[str, int], None]


@dataclass(frozen=True)
class Queued:
    queued: int  # reminders written to the outbox now
    already: int  # due, but queued before (another look, another process, before a restart)
    dropped: int = 0  # missed while the bot was down, and their hour has begun: never sent


class ReminderDispatcher:
    def __init__(
        self,
        db: Database,
        hours: HoursData,
        rules: tuple[ReminderRule, ...],
        i18n: I18n,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        buttonless: frozenset[str] = frozenset(),
        on_dropped: DroppedHook | None = None,
    ) -> None:
        self.db, self.hours, self.rules, self.i18n, self.clock = db, hours, rules, i18n, clock
        self.buttonless = buttonless  # transports that list buttons as numbers: "1" then stops the reminders
        self.on_dropped = on_dropped  # (stage, count): the metric
        self.expired = 0  # stopped at the gate since the last run: logged with the run's counts

    async def run_once(self) -> Queued:
        now = self.clock()
        result = await self.db.run(lambda tx: self.queue_due(tx, now))
        if result.queued:
            log.info("reminders queued: %d", result.queued)  # counts only: who gets one is nobody's log
        expired, self.expired = self.expired, 0
        if result.dropped or expired:
            dropped = result.dropped
            log.warning("reminders dropped, their hour had begun: %d never queued, %d not sent", dropped, expired)
        if result.dropped and self.on_dropped is not None:
            self.on_dropped(NOT_QUEUED, result.dropped)
        return result

    async def gate(self, row: OutboxMessage) -> Delivery | None:
        """The sender's gate: a reminder whose hour has begun is dropped (counted), not sent; anything else passes."""
        expires = (row.payload or {}).get(EXPIRES) if row.kind == OutboxKind.REMINDER else None
        if not isinstance(expires, str) or datetime.fromisoformat(expires) > self.clock():
            return None
        self.expired += 1
        if self.on_dropped is not None:
            self.on_dropped(NOT_SENT, 1)
        return Delivery(Outcome.EXPIRED, error="hour begun")

    def queue_due(self, tx: Session, now: datetime) -> Queued:
        """Queue every reminder due by `now` that was not queued before; counts what was already queued.

        The database answers which subscriptions still lack a reminder (an anti-join along the unique key), so a
        minute in which everything due was queued long ago reads no subscription: during a broadcast to thousands
        this job runs every minute, and loading them all each time stalled the sending of the process.
        """
        # Only the districts someone asked for: this runs every minute inside the database's transaction.
        subscribed = set(tx.scalars(select(ReminderSubscription.district).distinct()))
        districts = subscribed & set(district_ids(self.hours))
        dropped = self.drop_missed(tx, now, districts)
        fresh: list[tuple[ReminderSubscription, User, Due]] = []
        candidates = 0
        for district in sorted(districts):
            for due in due_reminders(self.hours, district, self.rules, now):
                reachable = (
                    select(ReminderSubscription, User)
                    .join(User, User.id == ReminderSubscription.user_id)
                    .where(ReminderSubscription.district == district, User.unreachable.is_(False))
                )
                had = exists().where(
                    Reminder.subscription_id == ReminderSubscription.id,
                    Reminder.slot_start == due.slot_start,
                    Reminder.rule == due.rule,
                )
                candidates += tx.scalar(select(func.count()).select_from(reachable.subquery())) or 0
                fresh += [(sub, user, due) for sub, user in tx.execute(reachable.where(~had).order_by(User.id)).all()]
        if not fresh:
            return Queued(0, candidates, dropped)
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
        return Queued(len(fresh), candidates - len(fresh), dropped)

    def drop_missed(self, tx: Session, now: datetime, districts: set[str]) -> int:
        """Hours that began without their reminder having been queued (the bot was down when it was due): each
        such reminder gets a row marked dropped, so it is counted once and can never be queued. Returns how many.

        The reminder an hour was owed is the latest rule due before it began (after a downtime only that one would
        have gone out), owed to every reachable family subscribed before the hour began.
        """
        if not self.rules:
            return 0
        now = now.astimezone(UTC)
        dropped = 0
        for district in sorted(districts):
            for slot in next_slots(self.hours, now - LOOKBACK, district, count=64):
                start = slot.start.astimezone(UTC)
                if start > now:
                    break
                if start <= now - LOOKBACK:
                    continue
                due_at, rule = max((rule.due(slot.start, self.hours.timezone), rule.id) for rule in self.rules)
                had_it = exists().where(
                    Reminder.subscription_id == ReminderSubscription.id,
                    Reminder.slot_start == start,
                    Reminder.rule == rule,
                )
                missed = tx.execute(
                    select(ReminderSubscription.id)
                    .join(User, User.id == ReminderSubscription.user_id)
                    .where(ReminderSubscription.district == district, ReminderSubscription.created_at < start)
                    .where(User.unreachable.is_(False), ~had_it)
                ).scalars()
                for sub_id in missed:
                    tx.add(Reminder(subscription_id=sub_id, slot_start=start, rule=rule, due_at=due_at, dropped=True))
                    dropped += 1
        if dropped:
            tx.flush()  # the unique key: a second look (or process) cannot count them again
        return dropped

    def stop_label(self, user: User) -> str:
        return self.i18n.t(user.language or "de", T.REMINDER_STOP)

    def message(self, user: User, due: Due) -> dict[str, object]:
        lang = user.language or "de"
        line = slot_line(self.i18n, self.hours, lang, due.slot)
        text = f"{self.i18n.t(lang, T.REMINDER_HEADER)}\n• {line}"
        if due.slot.moved:  # not where or when it usually is: say so, or the family goes to the usual place
            text += f"\n{self.i18n.t(lang, T.REMINDER_MOVED)}"
        stop = button(self.stop_label(user), Remind(RemindAction.STOP))  # one tap, from any step
        payload = Reply(text, ((stop,),), rtl=self.i18n.is_rtl(lang)).to_payload()
        return {**payload, EXPIRES: due.slot_start.isoformat()}
