"""What an erasure leaves in SQLite's files: the raw bytes of bot.db, -wal and -shm, read while the database is open."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from storage import repo
from storage.db import Database, erase_copies
from storage.models import CallbackRequest, OutboxMessage

SECRET = "Brief vom Jobcenter QX7"
FILES = ("bot.db", "bot.db-wal", "bot.db-shm")


def copies_in_files(folder: Path, value: str) -> dict[str, int]:
    """How often value occurs in each database file, in UTF-8 (how we store text) and UTF-16."""
    found: dict[str, int] = {}
    needles = [value.encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be")]
    for name in FILES:
        path = folder / name
        if path.exists():
            data = path.read_bytes()
            hits = sum(data.count(needle) for needle in needles)
            if hits:
                found[name] = hits
    return found


def file_request(tx: Session) -> None:
    # Other families' rows on both sides, so the page is shared and survives the erasure; also a message about
    # the request waiting in the outbox, between other messages.
    for n in range(40):
        if n == 20:
            tx.add(CallbackRequest(reference="R-2026-0999", topic="health", language="de", channel="telegram",
                                   contact_way="phone", phone="+492349876543", note=SECRET))  # fmt: skip
        tx.add(CallbackRequest(reference=f"R-2026-{n:04d}", topic="money", language="de", channel="telegram",
                               contact_way="phone", note="Andere Familie " * 5))  # fmt: skip
        tx.add(OutboxMessage(destination=f"telegram:{n}", payload={"text": SECRET if n == 20 else "Guten Tag " * 5}))


def strip_note(tx: Session, *, erase: bool) -> None:
    request = repo.get_request(tx, "R-2026-0999")
    assert request is not None
    request.note = request.phone = None
    tx.execute(delete(OutboxMessage).where(OutboxMessage.destination == "telegram:20"))
    if erase:
        erase_copies(tx)


async def test_an_erasure_leaves_no_copy_in_the_database_files_while_the_database_is_open(tmp_path: Path) -> None:
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}") as db:
        await db.migrate()
        await db.run(file_request)
        assert copies_in_files(tmp_path, SECRET)  # the scan sees what is there
        await db.run(lambda tx: strip_note(tx, erase=True))
        assert copies_in_files(tmp_path, SECRET) == {}
        assert copies_in_files(tmp_path, "+492349876543") == {}
        assert copies_in_files(tmp_path, "R-2026-0999")  # the anonymous request itself stays


async def test_without_erase_copies_an_old_page_image_keeps_the_value(tmp_path: Path) -> None:
    # Why erase_copies exists: the row no longer holds the note, but the WAL still holds the page it was on.
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}") as db:
        await db.migrate()
        await db.run(file_request)
        await db.run(lambda tx: strip_note(tx, erase=False))
        rows = await db.run(lambda tx: tx.execute(text("SELECT count(*) FROM callback_requests WHERE note = :n"),
                                                  {"n": SECRET}).scalar_one())  # fmt: skip
        assert rows == 0
        assert "bot.db-wal" in copies_in_files(tmp_path, SECRET)


async def test_a_reader_in_another_process_delays_the_checkpoint_without_stopping_the_writer(tmp_path: Path) -> None:
    async with Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}") as db:
        await db.migrate()
        await db.run(file_request)
        reader = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM callback_requests").fetchone()  # holds its snapshot open
            await db.run(lambda tx: strip_note(tx, erase=True))
            assert copies_in_files(tmp_path, SECRET)  # the reader's snapshot still needs the old pages
            started = time.monotonic()
            for n in range(20):  # other work goes on meanwhile, not held up by a retry after every commit
                await db.run(lambda tx, n=n: repo.mark_processed(tx, f"telegram:update:{n}"))
            assert time.monotonic() - started < 1.0
        finally:
            reader.execute("COMMIT")
            reader.close()
        for _ in range(50):  # the writer tries again on its own, with nothing else to do
            if not copies_in_files(tmp_path, SECRET):
                break
            await asyncio.sleep(0.1)  # files on disk: nothing to wait on but time
        assert copies_in_files(tmp_path, SECRET) == {}
