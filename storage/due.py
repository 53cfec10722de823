"""Which outbox rows are due, and for which process: with several processes (PostgreSQL) each leases the rows it
delivers, and gives back what it still holds when it stops."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.orm import Session, aliased

from storage.handoff import Lease
from storage.kinds import BULK_KINDS, OutboxKind, OutboxStatus
from storage.models import OutboxMessage

OTHERS_RECHECK = timedelta(milliseconds=100)
_BULK_KINDS = sorted(str(kind) for kind in BULK_KINDS)
_INTERACTIVE_KINDS = sorted(str(kind) for kind in OutboxKind if kind not in BULK_KINDS)


def due_outbox(
    session: Session,
    now: datetime,
    limit: int = 100,
    skip: frozenset[str] = frozenset(),
    lease: Lease | None = None,
    with_bulk: bool = True,
    bulk_limit: int | None = None,
) -> tuple[list[OutboxMessage], datetime | None]:
    """Pending rows due now, interactive before bulk, oldest first, and when the earliest waiting row is due.

    A destination whose earlier row waits for a retry is held back entirely, so its messages keep their order;
    destinations in skip (being delivered right now) are left out, and bulk rows unless with_bulk. With a lease
    (several processes), the rows returned are leased to its owner; a destination another process holds a row of
    is left to that process. At most bulk_limit bulk rows are returned (None: no limit).
    """
    # Each destination's oldest pending row, seen even when another process has it locked: a destination whose
    # first row was passed over (SKIP LOCKED) is left to that process, so its messages keep their order.
    earlier = aliased(OutboxMessage)
    first_pending = (
        select(func.min(earlier.id))
        .where(earlier.status == OutboxStatus.PENDING, earlier.destination == OutboxMessage.destination)
        .scalar_subquery()
        if lease is not None
        else literal(None)
    )

    def pending(kinds: list[str], count: int) -> list[Any]:
        # Interactive and bulk rows are read apart, each in id order along ix_outbox_pending_kind: during a
        # broadcast of thousands, a look for a few rows reads a few rows, not the whole queue.
        stmt = select(OutboxMessage, first_pending).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.kind.in_(kinds)
        )
        if skip:
            stmt = stmt.where(OutboxMessage.destination.not_in(skip))
        stmt = stmt.order_by(OutboxMessage.id).limit(count)
        if lease is not None:
            stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)  # rows leased elsewhere are passed over
        return list(session.execute(stmt).all())

    fetched = pending(_INTERACTIVE_KINDS, limit * 4)
    if with_bulk and bulk_limit != 0:
        fetched += pending(_BULK_KINDS, (limit if bulk_limit is None else max(bulk_limit, 8)) * 4)
    rows = [row for row, _ in fetched]
    first = {row.destination: oldest for row, oldest in fetched}
    taken = {row.id for row in rows}
    blocked: set[str] = set()
    due: list[OutboxMessage] = []
    bulk_taken = 0
    next_at: datetime | None = None
    for row in rows:
        held = lease is not None and row.lease_until is not None and row.lease_until > now
        held = held and row.lease_owner != lease.owner  # type: ignore[union-attr]
        waiting = row.next_attempt_at > now
        # A destination's first pending row passed over (locked by another process) holds back the rest of it.
        elsewhere = lease is not None and first.get(row.destination) not in taken
        if waiting or held or elsewhere:  # a row held back only by its predecessor is due when that one is
            # Another process delivers this chat now; what was written here after it may be ours to send once it
            # is done, and nothing wakes us when it is: look again soon.
            wake = now + OTHERS_RECHECK if held or elsewhere else row.next_attempt_at
            next_at = wake if next_at is None else min(next_at, wake)
        capped = bulk_limit is not None and row.kind in BULK_KINDS and bulk_taken >= bulk_limit
        if waiting or held or elsewhere or capped or row.destination in blocked or len(due) >= limit:
            blocked.add(row.destination)
            continue
        bulk_taken += row.kind in BULK_KINDS
        due.append(row)
    if lease is not None:
        for row in due:
            row.lease_owner, row.lease_until = lease.owner, lease.until
    return due, next_at


def release_leases(session: Session, owner: str) -> int:
    """Give back every pending row leased to owner (a process stopping cleanly): due at once for any process.

    One statement; rows already sent or failed keep what they record. Returns how many rows were given back."""
    stmt = (
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
    )
    return int(session.execute(stmt).rowcount)  # type: ignore[attr-defined]
