"""What a delivery's outcome does to its outbox row: sent, retried with backoff, expired or failed for good."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.adapters.base import Delivery
from storage.db import erase_copies
from storage.kinds import OutboxKind, OutboxStatus, Outcome
from storage.models import OutboxMessage, User

log = logging.getLogger(__name__)
# A card, the details for the responsible person or a reply to a family is useful for at least a day: an outage of
# the platform or the network delays it, it never fails it. Only the platform's own "no" (blocked, bad request) does.
KEEP_TRYING = timedelta(hours=24)
PART_REFS = "part_refs"  # in a pending row's payload: the parts of a long text that went out in earlier attempts
MAX_BACKOFF_SECONDS = 120
# Called in the transaction that records a row's final outcome (sent or failed), while the row still holds its
# payload: (tx, row, status, refs, now). refs: every platform message the row became, in order (a long text split
# into parts has several; the last is the row's platform_ref); empty if nothing went out.
DeliveryHook = Callable[[Session, OutboxMessage, str, tuple[str, ...], datetime], None]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2**attempts))


def record(tx: Session, row_id: int, result: Delivery, now: datetime, on_delivery: DeliveryHook | None = None) -> str:
    """Write the delivery's outcome; returns the row's new status."""
    current = tx.get(OutboxMessage, row_id)
    if current is None or current.status != OutboxStatus.PENDING:
        return current.status if current else "gone"
    if current.kind == OutboxKind.ERASE and result.status != Outcome.RETRY:
        tx.delete(current)  # the last message to a family that erased itself leaves no trace
        erase_copies(tx)  # not even in the database files
        return "gone"
    if result.status == Outcome.EXPIRED:
        current.status, current.error, current.payload = OutboxStatus.EXPIRED, result.error, None
        return current.status
    current.attempts += 1
    if result.new_destination:
        current.destination = result.new_destination
    if result.status == Outcome.SENT:
        if current.attempts > 1:
            # The platform answers again: what waits for a retry on it goes out now, not after its backoff.
            transport = current.destination.split(":", 1)[0]
            tx.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at > now)
                .where(OutboxMessage.destination.startswith(f"{transport}:"))
                .values(next_attempt_at=now)
            )
        current.status, current.delivered_at, current.platform_ref = OutboxStatus.SENT, now, result.ref
        if on_delivery is not None:
            on_delivery(tx, current, OutboxStatus.SENT, _all_refs(current, result), now)
        current.payload = None  # delivered texts are not kept: the bot is not the case file
    elif result.status == Outcome.RETRY and now - current.created_at < KEEP_TRYING:
        wait = timedelta(seconds=result.retry_after) if result.retry_after else backoff(current.attempts)
        current.next_attempt_at = now + wait
        current.error = result.error
        current.lease_owner = current.lease_until = None  # any process may retry it when it is due
        if result.sent_parts and current.payload is not None:
            earlier = list(current.payload.get(PART_REFS, []))
            current.payload = {  # never send those parts again, and remember where they went
                **current.payload,
                "sent_parts": result.sent_parts,
                PART_REFS: earlier + list(result.part_refs),
            }
    else:
        current.status, current.error = OutboxStatus.FAILED, result.error or "gave up"
        log.warning("outbox row %s failed: %s", current.id, current.error)
        if on_delivery is not None:
            on_delivery(tx, current, OutboxStatus.FAILED, _all_refs(current, result, sent=False), now)
        current.payload = None
        if result.error == "blocked" and current.user_id is not None:
            user = tx.get(User, current.user_id)
            if user is not None:
                user.unreachable = True
    return current.status


def _all_refs(row: OutboxMessage, result: Delivery, sent: bool = True) -> tuple[str, ...]:
    """Every platform message a row became: parts sent in earlier attempts, then this attempt's."""
    earlier = tuple(str(ref) for ref in (row.payload or {}).get(PART_REFS, []))
    now = result.part_refs or ((result.ref,) if sent and result.ref else ())
    return earlier + now
