"""One scheduler among several processes: the one holding a PostgreSQL advisory lock runs the scheduled jobs.

An advisory lock belongs to a database session. The leader keeps one connection open for as long as it leads;
when the process dies, PostgreSQL ends its session and frees the lock, and another process takes it on its next
try. On SQLite there is one process (see `single_instance`), and it always leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import ConfigError
from storage.db import sqlite_path

log = logging.getLogger(__name__)
SCHEDULER_LOCK = 0x454C5401  # "ELT\1": the advisory lock key of the scheduler
TRY_EVERY_SECONDS = 2.0


class Leadership:
    """`is_leader` tells whether this process runs the scheduled jobs now; `hold()` keeps trying to lead."""

    def __init__(self, url: str, on_change: Callable[[bool], None] | None = None) -> None:
        self.url = url
        self.on_change = on_change
        self.is_leader = sqlite_path(url) is not None
        self._conn: AsyncConnection | None = None

    async def hold(self) -> None:
        """Until cancelled: take the lock when it is free, check that it is still held, and say when that changes."""
        if sqlite_path(self.url) is not None:
            self._changed(True)
            await asyncio.Event().wait()
        engine = create_async_engine(self.url, poolclass=NullPool, hide_parameters=True)
        try:
            while True:
                leads = await self._try(engine)
                if leads != self.is_leader:
                    self._changed(leads)
                await asyncio.sleep(TRY_EVERY_SECONDS)
        finally:
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    await self._conn.close()  # ends the session: the lock is free for the others at once
            await engine.dispose()

    async def _try(self, engine: AsyncEngine) -> bool:
        try:
            if self._conn is None:
                self._conn = await engine.connect()
                await self._conn.execute(text("SET application_name = 'elternlotse'"))
            if self.is_leader:
                await self._conn.execute(text("SELECT 1"))  # the session (and the lock with it) is still there
                return True
            taken = await self._conn.scalar(text(f"SELECT pg_try_advisory_lock({SCHEDULER_LOCK})"))
            await self._conn.commit()  # the lock is the session's, not the transaction's
            return bool(taken)
        except Exception as exc:  # the database went away: so did the session and its lock
            log.warning("scheduler leadership: database unreachable (%s)", type(exc).__name__)
            if self._conn is not None:
                with contextlib.suppress(Exception):
                    await self._conn.invalidate()
            self._conn = None
            return False

    def _changed(self, leads: bool) -> None:
        self.is_leader = leads
        message = "this instance runs the scheduled jobs" if leads else "another instance runs the scheduled jobs"
        print(f"elternlotse: {message}", flush=True)
        if self.on_change is not None:
            self.on_change(leads)


class AlreadyRunning(ConfigError):
    """Another process holds the SQLite database."""


def single_instance(url: str) -> IO[str] | None:
    """On SQLite, hold a lock file beside the database for the process's life; a second process is refused.

    SQLite admits one writer, and our outbox and scheduler assume one process: two would deliver every message
    twice. The lock is the kernel's, so it is freed when the process dies, however it dies.
    """
    path = sqlite_path(url)
    if path is None:
        return None
    lock_path = Path(f"{path}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(
            "ELTERNLOTSE_DATABASE_URL: another elternlotse process runs on this SQLite database; "
            "several instances need PostgreSQL (see README)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle
