"""The staff digest: once each office day, when the office opens, what nobody has claimed; no personal data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.hours import HoursData
from bot.digest import Digest
from storage import repo
from storage.db import Database
from storage.kinds import RequestStatus
from storage.models import CallbackRequest, OutboxMessage

STAFF = "telegram:-100900"
# Monday 7 December 2026; the shipped office hours open at 08:00 Berlin time (07:00 UTC).
MONDAY_7_59 = datetime(2026, 12, 7, 6, 59, tzinfo=UTC)


async def requests(db: Database) -> None:
    def write(tx: Session) -> None:
        user = repo.touch_user(tx, "telegram:910")
        for n, (status, hours_old) in enumerate([(RequestStatus.OPEN, 50), (RequestStatus.OPEN, 3),
                                                 (RequestStatus.CLAIMED, 20), (RequestStatus.DONE, 90)]):  # fmt: skip
            tx.add(CallbackRequest(reference=f"R-2026-00{n + 10}", user_id=user.id, status=status, topic="money",
                                   language="ar", channel="telegram", contact_way="phone", phone="+4923412345",
                                   name="Zeynep", note="Brief", urgent=n == 1,
                                   created_at=MONDAY_7_59 - timedelta(hours=hours_old)))  # fmt: skip

    await db.run(write)


async def digests(db: Database) -> list[str]:
    def read(tx: Session) -> list[str]:
        rows = tx.execute(select(OutboxMessage).where(OutboxMessage.destination == STAFF)).scalars()
        return [row.payload["text"] for row in rows]

    return await db.run(read)


async def test_the_team_gets_one_morning_overview_of_unclaimed_requests_each_office_day(
    db: Database, hours: HoursData
) -> None:
    await requests(db)
    now = [MONDAY_7_59]
    digest = Digest(db, hours, lambda: STAFF, clock=lambda: now[0])
    assert await digest.run_once() is False  # the office is not open yet
    now[0] += timedelta(minutes=1)
    assert await digest.run_once() is True
    now[0] += timedelta(hours=3)
    assert await digest.run_once() is False  # once a day
    assert await digests(db) == [
        "☀️ Guten Morgen. Noch nicht übernommen (2):\n"
        "R-2026-0010 · Geld und Leistungen · seit 2 Tagen\n"
        "❗ R-2026-0011 · Geld und Leistungen · seit 3 Std."
    ]
    text = (await digests(db))[0]
    assert "Zeynep" not in text and "+49" not in text and "Brief" not in text

    now[0] = datetime(2026, 12, 12, 9, tzinfo=UTC)  # Saturday: no office day
    assert await digest.run_once() is False
    now[0] = datetime(2026, 12, 25, 9, tzinfo=UTC)  # Christmas Day: a public holiday
    assert await digest.run_once() is False
    now[0] = datetime(2026, 12, 8, 9, tzinfo=UTC)  # Tuesday: the next office day has its own
    assert await digest.run_once() is True
    assert len(await digests(db)) == 2
