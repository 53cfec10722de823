"""Group commit on PostgreSQL: units of work that queue up while earlier ones run are committed together.

Profiled under bench/telegram.py, the bot spent more CPU on each transaction's envelope (an AsyncSession, a pool
checkout, BEGIN and COMMIT as round trips of their own, the greenlet bridge) than on the statements of a dialog
step, and the server a commit per step. SQLite's writer thread commits what queued up meanwhile in one transaction;
this does the same on PostgreSQL. A batch that fails is rolled back and each of its units runs again alone
(Database.run documents that a unit of work may run twice), so a failing unit takes only itself down. Every caller
hears back only after the commit of the transaction that held its unit.

One transaction at a time per process (WORKERS), as SQLite's writer: with two, batches of one process locked rows
that every step touches (a family's row, the reference counter, outbox rows) crosswise, and PostgreSQL broke each
deadlock after deadlock_timeout (1 s). The price, as on SQLite: a long unit (a purge, a broadcast's queueing)
holds up the steps queued behind it. Two processes can still deadlock each other; PostgreSQL breaks it, the batch
runs again unit by unit. The anonymous counters every step adds to are written last, in key order (handoff.py).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.orm import Session

WORKERS = 1  # transactions of batched units under way at once, per process (see above)
MAX_GROUP = 64  # units in one transaction at most

Work = Callable[[Session], Any]


class Batcher:
    """Runs units of work in batches: run_many(works) in one transaction, run_one(work) alone after a failure."""

    def __init__(
        self,
        run_many: Callable[[list[Work]], Awaitable[list[Any]]],
        run_one: Callable[[Work], Awaitable[Any]],
    ) -> None:
        self._run_many, self._run_one = run_many, run_one
        self._queue: deque[tuple[Work, asyncio.Future[Any]]] = deque()
        self._tasks: set[asyncio.Task[None]] = set()  # references until done; close() waits for them
        # Drains under way, counted down inside the drain itself: a finished task leaves _tasks only in a done
        # callback, a moment later, and a unit queued in that moment would wait for a drain that never comes.
        self._draining = 0

    async def submit(self, work: Work) -> Any:
        """Queue work; returns its result (or raises its error) once its transaction has committed."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((work, future))
        if self._draining < WORKERS:
            self._draining += 1
            task = asyncio.ensure_future(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await future

    async def close(self) -> None:
        """Wait until everything queued has run."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drain(self) -> None:
        # Nothing awaits between the emptiness check and the count going down: a unit queued after it starts a
        # drain of its own.
        try:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(MAX_GROUP, len(self._queue)))]
                try:
                    await self._run(batch)
                except BaseException as exc:  # cancelled (the loop is closing): no caller may wait forever
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc if isinstance(exc, Exception) else RuntimeError("cancelled"))
                    raise
        finally:
            self._draining -= 1

    async def _run(self, batch: list[tuple[Work, asyncio.Future[Any]]]) -> None:
        if len(batch) > 1:
            try:
                results = await self._run_many([work for work, _ in batch])
            except Exception:  # somebody's unit failed: nothing of the batch was kept; each runs alone below
                pass
            else:
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
                return
        for work, future in batch:
            try:
                result = await self._run_one(work)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)
