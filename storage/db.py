"""Database access: every unit of work is one synchronous function run in one transaction, off the event loop.

SQLite: one dedicated thread with SQLAlchemy's synchronous engine, WAL, foreign keys, BEGIN IMMEDIATE.
PostgreSQL: SQLAlchemy's async engine (asyncpg), the same function run through AsyncSession.run_sync; units
of work that queue up meanwhile are committed together there too (storage/pgbatch.py).

Why not an AsyncSession on aiosqlite: every statement then crosses threads. Measured here (bench/engine.py),
a dialog step took about 11 ms that way and about 1.4 ms with one thread hop per transaction. A single SQLite
writer thread also matches SQLite itself, which admits one writer at a time. Under load the writer commits
the units of work that queued up meanwhile together (group commit); if one fails, the batch is rolled back and
each unit runs alone, so a failing unit takes only itself down. Every caller hears back only after its commit.

Erasure (GDPR Art. 17) reaches the files, not only the rows: every SQLite connection zeroes what it frees
(secure_delete), and a unit of work that erases calls erase_copies(); once it commits, the writer checkpoints the
WAL into the database file and truncates it, so no older page image of an erased value survives in bot.db or
bot.db-wal. PostgreSQL keeps dead row versions until VACUUM: see the README's data-protection part.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from storage.handoff import DEFERRED_COUNTS, HANDED, HANDS_OVER, LEASE, Handed, Lease, add_deferred_counts
from storage.pgbatch import Batcher

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[Session], T]
SQLITE_PREFIXES = ("sqlite+aiosqlite:///", "sqlite:///")
ERASE_COPIES = "erase_copies"  # a Session.info key: this transaction erased personal data
# How long the checkpoint after an erasure waits for another process's reader before the writer goes back to work;
# it tries again after RETRY_SCRUB_SECONDS until it succeeds.
SCRUB_BUSY_MS = 100
RETRY_SCRUB_SECONDS = 1.0


def erase_copies(session: Session) -> None:
    """Ask that, once this transaction commits, no old copy of what it erased stays in the database files.

    SQLite: a checkpoint that truncates the WAL, run by the writer thread before the callers hear back.
    PostgreSQL: nothing can be done inside the application (dead row versions stay until VACUUM; README).
    """
    session.info[ERASE_COPIES] = True


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
        # secure_delete: whatever a statement frees (an erased phone number, a deleted row, a freed page) is
        # overwritten with zeros, not left in the file. temp_store: sorts and temporary tables stay in memory,
        # so no personal value goes into a temporary file.
        pragmas = ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=30000",
                   "secure_delete=ON", "temp_store=MEMORY")  # fmt: skip
        for pragma in pragmas:
            dbapi_conn.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


MAX_GROUP = 64
POOL_SIZE = 10  # PostgreSQL connections per process


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

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        # Set once (Database.hand_over): outbox rows written go to take() once committed, not fetched again.
        self.take: Callable[[list[Handed]], None] | None = None
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.scrub_due: float | None = None  # an erasure's checkpoint has not succeeded yet: when to try again
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
        while True:
            try:
                wait = None if self.scrub_due is None else max(0.0, self.scrub_due - time.monotonic())
                job = self.jobs.get(timeout=wait)
            except queue.Empty:
                self._scrub()
                continue
            if job is None:
                return
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
        itself down, because on the slow path every job has its own transaction. After a commit that erased
        personal data the WAL is checkpointed before anyone hears back: "deleted" is said of the files too.
        """
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        handed: list[Handed] = []  # outbox rows the committed jobs wrote, in the order they wrote them
        erased = False
        if len(batch) > 1:
            try:
                with self.sessions() as session, session.begin():
                    results = []
                    for job in batch:
                        results.append(self._work(job, session, handed))
            except Exception:  # somebody's job failed: nothing of the batch was kept
                handed.clear()
            else:
                outcomes = [(job, result, None) for job, result in zip(batch, results, strict=True)]
                erased = bool(session.info.get(ERASE_COPIES))
        if not outcomes:
            for job in batch:
                mine: list[Handed] = []
                try:
                    with self.sessions() as session, session.begin():
                        result = self._work(job, session, mine)
                except Exception as exc:
                    outcomes.append((job, None, exc))
                else:
                    outcomes.append((job, result, None))
                    handed.extend(mine)
                    erased = erased or bool(session.info.get(ERASE_COPIES))
        # A checkpoint a reader held up is tried again on its schedule, not after every batch: each try may wait.
        if erased or (self.scrub_due is not None and time.monotonic() >= self.scrub_due):
            self._scrub()
        # One wake-up of the event loop for the whole batch, not one per job: each call_soon_threadsafe writes to
        # the loop's socket and takes the GIL back from the loop thread, which under load cost more than the jobs.
        loops = {job.loop for job in batch}
        for loop in loops:
            mine_only = [o for o in outcomes if o[0].loop is loop]
            loop.call_soon_threadsafe(self._settle_batch, mine_only, handed if loop is batch[0].loop else [])

    def _work(self, job: _Job, session: Session, handed: list[Handed]) -> Any:
        """Run one job in the session; the outbox rows it wrote (for take()) are collected apart from the others'."""
        if self.take is not None:
            session.info[HANDS_OVER] = True
        result = job.work(session)
        handed.extend(session.info.pop(HANDED, ()))
        return result

    def _settle_batch(self, outcomes: list[tuple[_Job, Any, BaseException | None]], handed: list[Handed]) -> None:
        """In the event loop: committed rows go to the sender first, then every caller hears back, in order.

        The sender hears of the rows before any later look at the outbox returns (that look is a later job), so a
        row is never both fetched and taken."""
        if handed and self.take is not None:
            try:
                self.take(handed)
            except Exception as exc:  # the sender looks at the outbox again anyway; the callers must hear back
                log.error("handing committed outbox rows to the sender failed: %s", type(exc).__name__)
        for job, result, error in outcomes:
            _settle(job.future, result, error)

    def _scrub(self) -> None:
        """Checkpoint the WAL into the database file and truncate it: no older page image of an erased value stays.

        Another process's open read transaction (e.g. `elternlotse status`) makes this wait at most SCRUB_BUSY_MS;
        then the writer goes back to work and tries again later.
        """
        started = time.monotonic()
        raw = self.engine.raw_connection()
        try:
            sqlite = raw.driver_connection
            assert sqlite is not None
            sqlite.execute(f"PRAGMA busy_timeout={SCRUB_BUSY_MS}")
            try:
                busy = sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                sqlite.execute("PRAGMA busy_timeout=30000")
        except sqlite3.Error as exc:  # the type only: never let a message reach a log
            log.error("checkpoint after an erasure failed: %s; trying again", type(exc).__name__)
            busy = 1
        finally:
            raw.close()
        self.scrub_due = time.monotonic() + RETRY_SCRUB_SECONDS if busy else None
        if busy:
            log.warning("checkpoint after an erasure waits for a reader of the database; trying again")
        else:
            log.debug("checkpoint after an erasure took %.1f ms", (time.monotonic() - started) * 1000)


def _run_units(works: list[Work[Any]], session: Session) -> list[Any]:
    """The units of one PostgreSQL transaction, one after another; the counters they added last, in key order."""
    results = [work(session) for work in works]
    add_deferred_counts(session)
    return results


class Database:
    """Owns the engine; `run(work)` executes work(session) in one transaction and returns its result."""

    def __init__(self, url: str) -> None:
        self.url = url
        path = sqlite_path(url)
        self._sync: Engine | None = None
        self._async: AsyncEngine | None = None
        self._writer: _SQLiteWriter | None = None
        self._lease: Callable[[], Lease] | None = None
        self._take: Callable[[list[Handed]], None] | None = None
        if path is not None:
            self._sync = _sqlite_engine(path)
            self._writer = _SQLiteWriter(self._sync)
        else:
            # A fixed pool, no overflow: under load (a webhook handles every update at once) the default pool (5 +
            # 10 overflow) opened and closed an overflow connection every few updates (35 in a 780-update bench run),
            # each a new server process, a TLS try, type introspection and every statement prepared anew. Units of
            # work beyond POOL_SIZE wait for a connection instead; one Python process is CPU-bound long before.
            self._async = create_async_engine(url, hide_parameters=True, pool_size=POOL_SIZE, max_overflow=0)
            self._async_sessions = async_sessionmaker(self._async, expire_on_commit=False)
            # One statement that needs no transaction around it (BEGIN and COMMIT are two round trips more).
            single = self._async.execution_options(isolation_level="AUTOCOMMIT")
            self._single_sessions = async_sessionmaker(single, expire_on_commit=False)
            self._batcher = Batcher(self._run_many, self._run_retrying)

    @property
    def single_process(self) -> bool:
        """SQLite: one process owns the database. PostgreSQL: several processes may share it."""
        return self._writer is not None

    async def run(self, work: Work[T]) -> T:
        """Run work(session) in one transaction: committed if it returns, rolled back if it raises.

        A unit of work may run twice: when a group commit fails (SQLite's writer, PostgreSQL's storage/pgbatch.py),
        every unit of the batch runs again alone; on PostgreSQL also once more on a new connection when its
        connection broke. So work must do nothing but database writes (no sends, no counters kept outside the
        session). Outbox rows it wrote leased go to
        the sender only after the commit (hand_over), so a unit run twice hands over only the rows that stayed.
        """
        if self._writer is not None:
            return await self._writer.submit(work)
        # Units queued while others run are committed together (storage/pgbatch.py), as on SQLite.
        return await self._batcher.submit(work)  # type: ignore[no-any-return]

    async def run_now(self, work: Work[T]) -> T:
        """Like run(), but on PostgreSQL in a transaction of its own, now, not queued behind a group commit.

        For recording a delivery: until it is recorded, a crash makes another instance send the message again, so
        every moment it waits behind a batch of family steps widens that window (a staff card was sent twice, 1.1 s
        before a SIGKILL, while its record waited). On SQLite the one writer commits it with whatever is queued."""
        if self._writer is not None:
            return await self._writer.submit(work)
        return await self._run_retrying(work)

    async def _run_retrying(self, work: Work[T]) -> T:
        try:
            return await self._run_async(work)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        # The server restarted or a connection broke: SQLAlchemy has dropped the pool's old connections, and this
        # unit of work runs once more on a new one. (Cheaper than checking every connection before each use.)
        return await self._run_async(work)

    async def _run_async(self, work: Work[T]) -> T:
        return (await self._run_many([work]))[0]  # type: ignore[no-any-return]

    async def _run_many(self, works: list[Work[Any]]) -> list[Any]:
        """Run the units one after another in one transaction; hand over the rows they wrote once it commits."""
        async with self._async_sessions() as session, session.begin():
            if self._lease is not None:
                session.info[LEASE] = self._lease()
            session.info[DEFERRED_COUNTS] = []
            results = await session.run_sync(partial(_run_units, works))
        handed = session.info.pop(HANDED, None)
        if handed and self._take is not None:
            self._take(handed)  # committed: the sender may deliver them now
        return results

    @property
    def hands_over(self) -> bool:
        """Outbox rows written in run() go to the sender as they commit (hand_over was called)."""
        return self._take is not None

    def hand_over(self, lease: Callable[[], Lease] | None, take: Callable[[list[Handed]], None]) -> None:
        """Give the outbox rows a transaction writes to take() once it has committed (storage/handoff.py), so the
        sender need not look them up. PostgreSQL: written leased to this process (lease() is asked once a
        transaction). SQLite (one process, no leases: lease is None): handed over by the writer thread."""
        if self._writer is not None:
            assert lease is None, "SQLite has one process: nothing to lease"
            self._writer.take = take
        else:
            assert lease is not None, "several processes share PostgreSQL: rows handed over are leased"
        self._lease, self._take = lease, take

    async def run_single(self, work: Work[T]) -> T:
        """Run work that is ONE idempotent statement (marking rows sent, say): on PostgreSQL in autocommit, one
        round trip instead of three; on SQLite like run() (its writer batches commits anyway)."""
        if self._writer is not None:
            return await self._writer.submit(work)
        try:
            async with self._single_sessions() as session:
                return await session.run_sync(work)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
        async with self._single_sessions() as session:
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
            await self._batcher.close()
            await self._async.dispose()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
