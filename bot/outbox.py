"""Delivers outbox rows through the adapters, in order per destination, marking each row when done."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.adapters.base import Adapter, Delivery, Outgoing
from bot.core.events import ChatKey, Reply
from bot.outbox_record import DeliveryHook, record
from storage import repo
from storage.db import Database
from storage.due import due_outbox, release_leases
from storage.handoff import Handed, Lease
from storage.kinds import BULK_KINDS, OutboxKind, OutboxStatus, Outcome
from storage.models import OutboxMessage

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)
# How often an idle sender looks for rows it was not handed: with several processes, rows others wrote; with rows
# handed over as they commit (bot.app), rows written behind this process's back (by hand, say), which no update
# wakes it for any more. With several processes also how long before its lease runs out a chain stops (a send
# must finish within the lease, or another process could send the same row).
SHARED_IDLE_SECONDS = 1.0
FETCH_LIMIT = 100
# Bulk messages (reminders) on their way at once. Each one in flight has reserved a moment of the global rate; an
# interactive reply queues behind those few moments only, not behind the whole broadcast. Enough to keep the
# configured rate while the next bulk row is fetched.
BULK_IN_FLIGHT = 8
LEASE_MARGIN = 0.25  # of the lease
# A clean stop (SIGTERM, a rolling deploy): how long sends already under way may take to finish and be recorded.
# What is still unanswered then is abandoned and given back with every other row this process holds (close()).
STOP_GRACE_SECONDS = 5.0
DONE_REMEMBERED = 4096  # delivered row ids kept: a row handed over after them may go out at once (take)
PERSONAL_KINDS = frozenset({OutboxKind.FAMILY, OutboxKind.DETAILS, OutboxKind.ERASE, OutboxKind.REMINDER})
# Asked right before a row goes out: None lets it go; a Delivery is its outcome instead (nothing is sent).
SendGate = Callable[[OutboxMessage], Awaitable[Delivery | None]]


@dataclass(eq=False)
class _Chain:
    """One destination's rows on their way, in order; take() may append while it runs."""

    rows: list[OutboxMessage]
    bulk: bool = False
    refetch: bool = False  # rows of this destination may wait in the database: look when the chain is done
    task: asyncio.Task[int] | None = field(default=None, repr=False)


class OutboxSender:
    """Reads due rows and hands them to the adapter owning their destination."""

    def __init__(
        self,
        db: Database,
        adapters: dict[str, Adapter],
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        concurrency: int = 32,
        on_delivery: DeliveryHook | None = None,
        metrics: Metrics | None = None,
        lease_seconds: float | None = None,
        gate: SendGate | None = None,
        stop_grace: float = STOP_GRACE_SECONDS,
    ) -> None:
        """lease_seconds: several processes share the database (PostgreSQL); each leases the rows it delivers."""
        self.stop_grace = stop_grace
        self._stopping = False  # run() ended or close() began: take nothing more, start no send
        self.gate = gate
        self.metrics = metrics
        self.lease_seconds = lease_seconds
        self.lease_margin = timedelta(seconds=(lease_seconds or 0) * LEASE_MARGIN)
        self.owner = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.on_delivery = on_delivery
        self._marks: tuple[list[dict[str, object]], asyncio.Future[None]] | None = None
        self._mark_writer: asyncio.Future[None] | None = None
        self.db = db
        self.adapters = adapters
        self.clock = clock
        self.wakeup = asyncio.Event()
        self.limit = asyncio.Semaphore(concurrency)
        self._busy: dict[str, _Chain] = {}  # destination -> its chain being delivered (run)
        self._running = self._fetching = False
        self._deferred: list[Handed] = []  # handed over while run() looked at the outbox
        self._done: set[int] = set()  # ids of rows delivered lately (DONE_REMEMBERED of them)
        self._done_order: deque[int] = deque()

    def wake(self) -> None:
        self.wakeup.set()

    async def flush(self, with_bulk: bool = True) -> int:
        """Deliver everything due now, repeating until nothing is due. Returns rows delivered or failed.

        Without bulk, reminders are left to run(): a broadcast cut short by a crash must not hold up start-up."""
        total = 0
        while True:
            done, _ = await self.run_once(with_bulk)
            total += done
            if done == 0:
                return total

    async def run_once(self, with_bulk: bool = True) -> tuple[int, datetime | None]:
        """Deliver what is due now; returns how many rows finished and when the next waiting row is due."""
        now, lease = self.clock(), self._lease()
        rows, next_at = await self.db.run(lambda tx: due_outbox(tx, now, lease=lease, with_bulk=with_bulk))
        until = lease.until if lease else None
        results = await asyncio.gather(*(self._deliver_chain(chain, until) for chain in _chains(rows).values()))
        return sum(results), next_at

    def _lease(self) -> Lease | None:
        if self.lease_seconds is None:
            return None
        return Lease(self.owner, self.clock() + timedelta(seconds=self.lease_seconds))

    def lease_for_writes(self) -> Lease:
        """The lease under which a transaction writes rows this process will deliver (Database.hand_over)."""
        lease = self._lease()
        assert lease is not None, "only several processes on PostgreSQL lease rows"
        if self._stopping:
            return Lease(lease.owner, self.clock())  # this process sends nothing more: run out at once, for others
        return lease

    async def run(self) -> None:
        """Deliver forever: wake on new rows, a finished chain, or when the next retry is due.

        Each destination's chain is a task of its own, so a chat waiting for its own limit (a family flooding the
        bot, a 429) never delays another chat; a destination is fetched again once its chain is done. Rows this
        process wrote leased to itself (PostgreSQL) come through take() and are not fetched at all.
        """
        self._running = True
        try:
            while True:
                self.wakeup.clear()
                lease = self._lease()
                bulk = sum(chain.bulk for chain in self._busy.values())
                fetch = partial(
                    due_outbox, now=self.clock(), limit=FETCH_LIMIT, skip=frozenset(self._busy), lease=lease,
                    bulk_limit=max(0, BULK_IN_FLIGHT - bulk),
                )  # fmt: skip
                if not self.db.hands_over:
                    # This look leaves their destinations out: look again when they are done. With hand-over
                    # (PostgreSQL, and SQLite's writer) rows written here reach a busy chain through take(), which
                    # marks the chain itself when it cannot append one, and rows of other processes are theirs
                    # (leased) or seen by the look once a second: marking every busy chain on every look made the
                    # sender look again each time any chain ended, a look per few replies under load
                    # (bench/telegram.py profile).
                    for busy in self._busy.values():
                        busy.refetch = True
                self._fetching = True
                try:
                    rows, next_at = await self.db.run(fetch)
                finally:
                    self._fetching = False
                deferred, self._deferred = self._deferred, []
                handed = {h.row.id for h in deferred}  # committed while we looked: they come through take()
                for destination, due in _chains([row for row in rows if row.id not in handed]).items():
                    self._start(destination, due)
                self.take(deferred)
                if len(rows) >= FETCH_LIMIT:
                    continue  # a full page: more may be due now. (Fewer: all that was due is on its way.)
                # Another process's rows wake only that process: when several share the database, look again soon,
                # so rows a dead process wrote or leased are delivered by the others. Rows handed over wake
                # nothing either: look again soon too (two small indexed queries a second).
                shared = self.lease_seconds is not None or self.db.hands_over
                idle = SHARED_IDLE_SECONDS if shared else 60.0
                timeout = idle if next_at is None else max(0.05, (next_at - self.clock()).total_seconds())
                # Not asyncio.wait_for: on 3.11 it can swallow a cancellation that arrives as the event is set
                # (a chain finishing at shutdown sets it), and the sender would never stop.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(timeout, idle)):
                        await self.wakeup.wait()
        finally:
            self._running = False
            await self._wind_down()

    async def _wind_down(self) -> None:
        """Stop taking work; sends under way get stop_grace seconds to finish and be recorded, then are abandoned."""
        self._stopping = True
        tasks = [chain.task for chain in self._busy.values() if chain.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=self.stop_grace)  # each chain stops after the send it is in
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # none may outlive the sender

    async def close(self) -> None:
        """Give back every row still leased to this process, in one statement, so that any process sends it at once.

        Called as the application stops, before the database closes. Marks of rows already sent are written first:
        a delivered row is never given back. A send abandoned while the platform had it may have gone out; it is
        sent once more (README: at least once), as after a crash."""
        await self._wind_down()
        while self._marks is not None or (self._mark_writer is not None and not self._mark_writer.done()):
            if self._mark_writer is not None and not self._mark_writer.done():
                await asyncio.wait([self._mark_writer])
            else:
                await asyncio.sleep(0)  # the batch's writer starts on the loop's next turn (_mark_sent)
        if self.lease_seconds is None:
            return
        owner = self.owner
        try:
            given = await self.db.run_single(lambda tx: release_leases(tx, owner))
        except Exception as exc:  # the database is gone: the leases run out on their own
            log.error("could not give back the outbox rows this process held: %s", type(exc).__name__)
            return
        if given:
            log.info("gave back %d outbox row(s) to the other instances", given)

    def take(self, handed: list[Handed]) -> None:
        """Rows just committed, leased to this process (storage/handoff.py): deliver them without fetching them.

        A row goes out at once only if every row of its destination that was pending before it is one this
        process delivers or has delivered; otherwise (another process's, or one waiting for a retry) the sender
        looks it up in order, as any row. While the sender looks (or before it runs) they wait for that look.
        """
        if not handed or self._stopping:
            return  # stopping: close() gives them back (written from now on, their lease has run out already)
        if not self._running:
            self.wake()  # the rows are leased to us: run() or flush() fetches them
            return
        if self._fetching:
            self._deferred.extend(handed)
            return
        left: set[str] = set()
        for item in handed:
            row, destination = item.row, item.row.destination
            chain = self._busy.get(destination)
            ours = {r.id for r in chain.rows} if chain is not None else set()
            if not item.leased or destination in left or not all(e in ours or e in self._done for e in item.earlier):
                left.add(destination)
                if chain is not None:
                    chain.refetch = True
                continue
            if chain is not None:
                chain.rows.append(row)  # the chain is still in its loop (it leaves _busy as it ends): it sends it
            else:
                self._start(destination, [row])
        if left:
            self.wake()

    def _start(self, destination: str, rows: list[OutboxMessage]) -> None:
        chain = _Chain(rows, bulk=any(row.kind in BULK_KINDS for row in rows))
        self._busy[destination] = chain
        chain.task = asyncio.create_task(self._run_chain(destination, chain))
        chain.task.add_done_callback(partial(self._chain_done, chain))

    async def _run_chain(self, destination: str, chain: _Chain) -> int:
        """Deliver a destination's rows in order; rows appended meanwhile (take) are delivered too."""
        done = 0
        try:
            while done < len(chain.rows):
                row = chain.rows[done]
                if row.lease_until is not None and self.clock() > row.lease_until - self.lease_margin:
                    chain.refetch = True  # the lease runs out soon: another process may take it; fetch it again
                    break
                async with self.limit:
                    if self._stopping:
                        break  # stopping: no new send; close() gives the rest back
                    finished = await self._deliver(row)
                if not finished:
                    chain.refetch = True  # keep this destination's order: later rows wait for this one
                    break
                done += 1
                self._remember(row.id)
        finally:
            if self._busy.get(destination) is chain:
                del self._busy[destination]  # at once, not in a callback: take() must not append to a chain that ended
        return done

    def _remember(self, row_id: int) -> None:
        """A row this process delivered: a row written after it may follow it at once."""
        self._done.add(row_id)
        self._done_order.append(row_id)
        if len(self._done_order) > DONE_REMEMBERED:
            self._done.discard(self._done_order.popleft())

    def _chain_done(self, chain: _Chain, task: asyncio.Task[int]) -> None:
        if not task.cancelled() and task.exception() is not None:
            # The type only: an exception's message could carry what a family wrote.
            log.error("delivery to one destination stopped: %s", type(task.exception()).__name__)
            chain.refetch = True
        if chain.refetch or chain.bulk:
            self.wake()

    async def _deliver_chain(self, chain: list[OutboxMessage], lease_until: datetime | None = None) -> int:
        done = 0
        for row in chain:
            if lease_until is not None and self.clock() > lease_until - self.lease_margin:
                break  # the lease runs out soon: another process may take these rows; fetch (and lease) them again
            async with self.limit:
                finished = await self._deliver(row)
            if not finished:
                break  # keep this destination's order: later rows wait for this one
            done += 1
        return done

    async def _deliver(self, row: OutboxMessage) -> bool:
        transport = row.destination.split(":", 1)[0]
        adapter = self.adapters.get(transport)
        if adapter is None or row.payload is None:
            await self._finish(row, Delivery(Outcome.FAILED, error="no adapter" if adapter is None else "empty"))
            return True
        edit_ref = row.payload.get("edit_ref")
        destination = row.destination
        if row.kind == OutboxKind.CARD and row.request_id is not None:
            # Decide now, not when the row was written, whether the card exists: else a claim made before the
            # first card went out would post a second card whose button is dead.
            request_id = row.request_id
            card_ref = await self.db.run_single(lambda tx: repo.card_ref(tx, request_id))  # one read: autocommit
            posted_in, _, message = (card_ref or "").rpartition("|")
            # Edit the card where it is; if the staff channel moved since, post it anew in the new place.
            edit_ref = message if posted_in == destination and message else None
        if self.gate is not None:
            verdict = await self.gate(row)
            if verdict is not None:
                await self._finish(row, verdict)
                return verdict.status != Outcome.RETRY
        try:
            remove = bool(row.payload.get("remove"))
            sent_parts = int(row.payload.get("sent_parts", 0))
            reply, txn_id = Reply.from_payload(row.payload), f"outbox-{row.id}"
            personal = row.user_id is not None or row.kind in PERSONAL_KINDS
            bulk = row.kind in BULK_KINDS
            thread = row.payload.get("thread")
            outbox_id = row.id if _plain(row) else None  # only "sent" to record: the adapter may record it itself
            outgoing = Outgoing(reply, edit_ref, sent_parts, remove, txn_id=txn_id, personal=personal, bulk=bulk,
                                thread=str(thread) if thread else None, outbox_id=outbox_id)  # fmt: skip
            result = await adapter.send(ChatKey(destination), outgoing)
        except Exception as exc:  # an adapter bug must not stop delivery of everything else
            log.error("outbox row %s: adapter %s raised %s", row.id, transport, type(exc).__name__)
            result = Delivery(Outcome.RETRY, error=type(exc).__name__)
        await self._finish(row, result)
        return result.status != Outcome.RETRY

    async def _finish(self, row: OutboxMessage, result: Delivery) -> None:
        now = self.clock()
        if self.metrics is not None:
            transport = row.destination.split(":", 1)[0]
            self.metrics.delivered(transport, row.kind, result.status, row.created_at, now)
        if result.recorded and result.status == Outcome.SENT:  # marked sent where it was delivered (the web chat)
            row.status = OutboxStatus.SENT
            return
        if _plain(row) and result.status == Outcome.SENT and not result.new_destination:
            # The common case: a plain message was delivered. Marks that arrive together share one statement.
            await self._mark_sent({"id": row.id, "now": now, "ref": result.ref})
            row.status = OutboxStatus.SENT
            return
        # Recorded at once, not behind a group commit: until then a crash means the message is sent again.
        row.status = await self.db.run_now(lambda tx: record(tx, row.id, result, now, self.on_delivery))
        if not self.db.hands_over or (row.status == OutboxStatus.SENT and row.attempts):
            # What the delivery hooks wrote (a card showing the family blocked the bot) is due now, and so are the
            # rows _record released after an outage (woken here, not in the db thread). With hand-over (PostgreSQL)
            # the hooks' rows came through take().
            self.wake()

    async def _mark_sent(self, mark: dict[str, object]) -> None:
        if self._marks is None:
            self._marks = ([], asyncio.get_running_loop().create_future())
            asyncio.get_running_loop().call_soon(self._write_marks)
        self._marks[0].append(mark)
        await asyncio.shield(self._marks[1])

    def _write_marks(self) -> None:
        assert self._marks is not None
        marks, done = self._marks
        self._marks = None  # marks from now on go into the next batch

        async def write() -> None:
            try:
                await self.db.run_single(lambda tx: repo.mark_sent(tx, marks))
            except Exception as exc:
                done.set_exception(exc)
            else:
                done.set_result(None)

        self._mark_writer = asyncio.ensure_future(write())  # keep a reference until it is done


def _plain(row: OutboxMessage) -> bool:
    """A row whose delivery records nothing but "sent" (no request's card, no erasure, no earlier attempt)."""
    return row.request_id is None and row.kind != OutboxKind.ERASE and not row.attempts


def _chains(rows: list[OutboxMessage]) -> dict[str, list[OutboxMessage]]:
    """Due rows by destination, each list in the order it must be delivered."""
    by_destination: dict[str, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        by_destination[row.destination].append(row)
    return by_destination
