"""The staff digest: on each office day, when the office opens, one message in the staff channel lists the requests
nobody has claimed yet (references, topics, ages; no personal data). Run by the scheduler leader each minute; the
office day's row in staff_digests makes it once a day, whichever process or restart looks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.events import Reply
from bot.core.hours import HoursData, is_office_open
from bot.staff_texts import digest_text
from storage import repo
from storage.db import Database
from storage.kinds import OutboxRow, RequestStatus
from storage.models import CallbackRequest, StaffDigest


class Digest:
    def __init__(
        self,
        db: Database,
        hours: HoursData,
        staff_channel: Callable[[], str],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db, self.hours, self.staff_channel, self.clock = db, hours, staff_channel, clock

    async def run_once(self) -> bool:
        """True if a digest was queued now."""
        now = self.clock()
        if not is_office_open(self.hours, now):
            return False
        return await self.db.run(lambda tx: self.queue(tx, now))

    def queue(self, tx: Session, now: datetime) -> bool:
        day = now.astimezone(self.hours.timezone).date()
        if tx.get(StaffDigest, day) is not None:
            return False
        tx.add(StaffDigest(day=day, queued_at=now))
        tx.flush()  # a second writer stops here, before any message exists
        stmt = select(CallbackRequest).where(CallbackRequest.status == RequestStatus.OPEN)
        unclaimed = list(tx.execute(stmt.order_by(CallbackRequest.created_at)).scalars())
        if not unclaimed:
            return False  # nothing waiting: no message, and none later today either
        text = digest_text(unclaimed, now)
        repo.add_outbox_rows(tx, [OutboxRow(self.staff_channel(), Reply(text).to_payload())])
        return True
