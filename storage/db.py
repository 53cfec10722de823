"""Database access: every unit of work is one synchronous function run in one transaction, off the event loop.

SQLite: one dedicated thread with SQLAlchemy's synchronous engine, WAL, foreign keys, BEGIN IMMEDIATE.
PostgreSQL: SQLAlchemy's async engine (asyncpg), the same function run through AsyncSession.run_sync.

Why not an AsyncSession on aiosqlite: every statement then crosses threads. Measured here (bench/engine.py),
a dialog step took about 11 ms that way and about 1.4 ms with one thread hop per transaction. A single SQLite
writer thread also matches SQLite itself, which admits one writer at a time. Under load the writer commits
the units of work that queued up meanwhile together (group commit); if one fails, the batch is rolled back and
each unit runs alone, so a failing unit takes only itself down. Every caller hears back only after its commit.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
Work = Callable[[Session], T]
SQLITE_PREFIXES = ("sqlite+aiosqlite:///", "sqlite:///")


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for another database."""
    for prefix in SQLITE_PREFIXES:
        if url.startswith(prefix):
            return Path(url[len(prefix) :])
    return None


def _sqlite_engine(path: Path) -> Engine:
    path.parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: an error message must never carry a family's phone number or note into a log.
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Transaction control is ours: pysqlite's own BEGIN handling loses updates (FACTS.md).
        dbapi_conn.isolation_level = None
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000"):
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


MAX_GROUP = 64


@dataclass
class _Job:
    work: Work[Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class _SQLiteWriter:
    """The one thread that talks to SQLite. Jobs that queue up while it works are committed together."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="sqlite-writer", daemon=True)
        self.thread.start()

    def submit(self, work: Work[T]) -> asyncio.Future[T]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self.jobs.put(_Job(work, future, loop))
        return future

    def stop(self) -> None:
        self.jobs.put(None)
        self.thread.join()

    def _loop(self) -> None:
        while (job := self.jobs.get()) is not None:
            batch = [job]
            stopping = False
            while len(batch) < MAX_GROUP:
                try:
                    more = self.jobs.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._run(batch)
            if stopping:
                return

    def _run(self, batch: list[_Job]) -> None:
        """Commit the batch together; if anything in it fails, roll it all back and run each job alone.

        Failures are rare, so the common path pays for no savepoints; a failing job still takes only
        itself down, because on the slow path every job has its own transaction.
        """
        if len(batch) > 1:
            try:
                with self.sessions() as session, session.begin():
                    results = [job.work(session) for job in batch]
            except Exception:  # somebody's job failed: nothing of the batch was kept
                pass
            else:
                for job, result in zip(batch, results, strict=True):
                    job.loop.call_soon_threadsafe(_settle, job.future, result, None)
                return
        for job in batch:
            try:
                with self.sessions() as session, session.begin():
                    result = job.work(session)
            except Exception as exc:
                job.loop.call_soon_threadsafe(_settle, job.future, None, exc)
            else:
                job.loop.call_soon_threadsafe(_settle, job.future, result, None)


class Database:
    """Owns the engine; `run(work)` executes work(session) in one transaction and returns its result."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = sqlite_path(url)
        self._sync: Engine | None = None
        self._async: AsyncEngine | None = None
        self._writer: _SQLiteWriter | None = None
        if path is not None:
            self._sync = _sqlite_engine(path)
            self._writer = _SQLiteWriter(sessionmaker(self._sync, expire_on_commit=False))
        else:
            self._async = create_async_engine(url, hide_parameters=True)
            self._async_sessions = async_sessionmaker(self._async, expire_on_commit=False)

    @property
    def single_process(self) -> bool:
        """SQLite: one process owns the database. PostgreSQL: several processes may share it."""
        return self._writer is not None

    async def run(self, work: Work[T]) -> T:
        """Run work(session) in one transaction: committed if it returns, rolled back if it raises.

        A unit of work may run twice: on SQLite, when a group commit fails, every unit of the batch runs again
        alone. So work must do nothing but database writes (no sends, no counters kept outside the session).
        """
        if self._writer is not None:
            return await self._writer.submit(work)
        try:
            async with self._async_sessions() as session, session.begin():
                return await session.run_sync(work)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        # The server restarted or a connection broke: SQLAlchemy has dropped the pool's old connections, and this
        # unit of work runs once more on a new one. (Cheaper than checking every connection before each use.)
        async with self._async_sessions() as session, session.begin():
            return await session.run_sync(work)

    async def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from storage.migrate import upgrade

        if self._writer is not None:
            await self.run(lambda session: upgrade(session.connection()))
        else:
            assert self._async is not None
            async with self._async.begin() as conn:
                await conn.run_sync(upgrade)

    async def close(self) -> None:
        if self._writer is not None:
            await asyncio.to_thread(self._writer.stop)
            self._writer = None
        if self._sync is not None:
            self._sync.dispose()
        if self._async is not None:
            await self._async.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
