"""A world in which many families' reminders are due right now, for real `elternlotse run` processes.

The process reads the real clock, so instead of moving its clock the test gives it an office whose next hour is
close: a copy of dialogs/ where Mitte's regular hours are cancelled around today and one extra hour begins about two
hours from now, with one rule, "four hours before". Every family subscribed to Mitte is owed exactly one reminder,
due now. The families are written straight into the database (as if they had subscribed earlier).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from storage.db import Database
from storage.models import ReminderSubscription, User

ROOT = Path(__file__).resolve().parents[2]
ZONE = ZoneInfo("Europe/Berlin")
DISTRICT = "mitte"
REMINDER_START = "Erinnerung an die offene Sprechstunde"  # how the German reminder begins


def reminder_dialogs(target: Path, now: datetime | None = None) -> Path:
    """A copy of dialogs/ in which one reminder is due now for every family subscribed to Mitte."""
    now = (now or datetime.now(UTC)).astimezone(ZONE)
    shutil.copytree(ROOT / "dialogs", target)
    start = (now + timedelta(hours=2)).replace(second=0, microsecond=0)
    if start.time() > time(22, 30):  # the hour has to end on its own day
        start = datetime.combine(start.date() + timedelta(days=1), time(0, 30), tzinfo=ZONE)
    end = min(start + timedelta(hours=1), datetime.combine(start.date(), time(23, 59), tzinfo=ZONE))
    first, last = now.date() - timedelta(days=1), now.date() + timedelta(days=3)
    hours = (target / "hours.yaml").read_text(encoding="utf-8")
    hours += f"""
  - date: {first.isoformat()}
    until: {last.isoformat()}
    closed: true
    district: {DISTRICT}
    note_de: "Nur die Sprechstunde unten (Test)"

  - date: {start.date().isoformat()}
    district: {DISTRICT}
    start: "{start:%H:%M}"
    end: "{end:%H:%M}"
    place: "Testraum"
    address: "Teststraße 1, 44787 Bochum"
    note_de: "Sprechstunde für den Test"
"""
    (target / "hours.yaml").write_text(hours, encoding="utf-8")
    (target / "reminders.yaml").write_text("reminders:\n  - id: soon\n    hours_before: 4\n", encoding="utf-8")
    return target


async def subscribe_families(url: str, uids: list[int], language: str = "de") -> None:
    """Families on Telegram (their chat ids) who asked an hour ago for reminders of Mitte's hours."""
    async with Database(url) as db:
        await db.migrate()
        since = datetime.now(UTC) - timedelta(hours=1)

        def write(tx: Session) -> None:
            keys = [f"telegram:{uid}" for uid in uids]
            tx.execute(insert(User), [
                {"key": key, "chat": key, "language": language, "district": DISTRICT, "unreachable": False,
                 "created_at": since, "last_seen_at": since}
                for key in keys
            ])  # fmt: skip
            ids = tx.execute(select(User.id).where(User.key.in_(keys))).scalars().all()
            tx.execute(
                insert(ReminderSubscription),
                [{"user_id": user_id, "district": DISTRICT, "created_at": since} for user_id in ids],
            )

        await db.run(write)


def reminders_received(messages_by_chat: dict[int, list[str]]) -> dict[int, int]:
    """How many reminders each chat shows."""
    return {uid: sum(text.startswith(REMINDER_START) for text in texts) for uid, texts in messages_by_chat.items()}
