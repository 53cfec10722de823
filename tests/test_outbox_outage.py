"""Delivery through an outage: nothing fails while the platform is down, everything goes out once it answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.adapters.base import Delivery, Handler, Outgoing
from bot.core.events import ChatKey, Reply
from bot.outbox import OutboxSender
from bot.outbox_record import KEEP_TRYING
from storage import repo
from storage.db import Database
from storage.kinds import OutboxKind, OutboxRow, Outcome
from storage.models import OutboxMessage


class FlakyTransport:
    """A transport whose platform answers 502 while `down`; it records what it delivered, in order."""

    name = "flaky"

    def __init__(self) -> None:
        self.down = True
        self.delivered: list[tuple[str, str]] = []
        self.refused = 0

    async def connect(self) -> None: ...

    async def listen(self, handle: Handler) -> None: ...

    async def disconnect(self) -> None: ...

    async def send(self, destination: ChatKey, message: Outgoing) -> Delivery:
        if self.down:
            self.refused += 1
            return Delivery(Outcome.RETRY, error="502")
        self.delivered.append((destination, message.reply.text))
        return Delivery(Outcome.SENT, ref=str(len(self.delivered)))


def queue(db: Database, destination: str, texts: list[str], kind: OutboxKind = OutboxKind.MESSAGE) -> object:
    rows = [OutboxRow(destination, Reply(t).to_payload(), kind) for t in texts]
    return db.run(lambda tx: repo.add_outbox_rows(tx, rows))


async def test_a_ten_minute_outage_delays_but_never_fails_a_message_and_all_go_out_once_in_order(
    db: Database,
) -> None:
    # Regression: after 8 tries in a few minutes the confirmation and the card were failed for good.
    transport = FlakyTransport()
    now = [datetime.now(UTC)]
    sender = OutboxSender(db, {"flaky": transport}, clock=lambda: now[0])
    await queue(db, "flaky:family", [f"reply {n}" for n in range(5)])
    await queue(db, "flaky:staff", ["card R-1", "card R-2"], kind=OutboxKind.CARD)
    for _ in range(120):  # ten minutes, the sender looking every five seconds
        now[0] += timedelta(seconds=5)
        await sender.run_once()
    statuses = await db.run(lambda tx: set(tx.scalars(select(OutboxMessage.status))))
    assert statuses == {"pending"} and transport.refused > 10
    transport.down = False
    for _ in range(30):  # the first retry after recovery releases every waiting row at once
        now[0] += timedelta(seconds=5)
        await sender.run_once()
        if len(transport.delivered) == 7:
            break
    assert [t for d, t in transport.delivered if d == "flaky:family"] == [f"reply {n}" for n in range(5)]
    assert [t for d, t in transport.delivered if d == "flaky:staff"] == ["card R-1", "card R-2"]
    statuses = await db.run(lambda tx: list(tx.scalars(select(OutboxMessage.status))))
    assert statuses == ["sent"] * 7
    await sender.flush()
    assert len(transport.delivered) == 7  # once each


async def test_a_message_older_than_a_day_of_trying_is_failed_for_good(db: Database) -> None:
    transport = FlakyTransport()
    now = [datetime.now(UTC)]
    sender = OutboxSender(db, {"flaky": transport}, clock=lambda: now[0])
    await queue(db, "flaky:family", ["too late"])

    def age(tx: Session) -> None:
        tx.execute(update(OutboxMessage).values(created_at=now[0] - KEEP_TRYING - timedelta(minutes=1)))

    await db.run(age)
    now[0] += timedelta(seconds=1)
    await sender.run_once()
    assert await db.run(lambda tx: tx.scalar(select(OutboxMessage.status))) == "failed"


def test_status_lists_undelivered_cards_and_kinds_with_their_age_and_never_content(tmp_path: object) -> None:
    import asyncio
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    url = f"sqlite+aiosqlite:///{Path(str(tmp_path)) / 'status.db'}"

    async def prepare() -> None:
        async with Database(url) as db:
            await db.migrate()
            await queue(db, "telegram:-100", ["Anfrage R-2026-0001 · offen"], kind=OutboxKind.CARD)
            await queue(db, "telegram:42", ["Zeynep, wir rufen morgen an"])

    env = {k: v for k, v in os.environ.items() if not k.startswith("ELTERNLOTSE_")}
    env["ELTERNLOTSE_DATABASE_URL"] = url
    command = [sys.executable, "-m", "bot.cli", "status"]
    first = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert first.returncode == 0 and "everything delivered" in first.stdout
    asyncio.run(prepare())
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert "undelivered: 2" in result.stdout and "message · pending" in result.stdout
    assert "Zeynep" not in result.stdout and "offen" not in result.stdout  # kinds and ages, never content
