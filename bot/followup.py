"""After staff acted: a message's delivery shows on the card; requests nobody took are raised again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.events import Reply
from bot.core.hours import is_office_open, office_hours_between
from bot.desk import StaffDesk
from bot.staff_texts import escalation_text
from storage import repo
from storage.kinds import FamilyDelivery, OutboxKind, OutboxRow, OutboxStatus, RequestStatus
from storage.models import CallbackRequest, OutboxMessage


class FollowUp:
    """Called by the outbox sender (note_delivery) and the scheduler (escalate); shares the desk's settings."""

    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk

    def note_delivery(self, tx: Session, row: OutboxMessage, status: str, refs: tuple[str, ...], now: datetime) -> None:
        """A card remembers its message; a family message's fate shows on the card."""
        if row.request_id is None:
            return
        request = tx.get(CallbackRequest, row.request_id)
        if request is None:
            return
        if row.kind == OutboxKind.CARD and status == OutboxStatus.SENT and refs:
            request.card_ref = f"{row.destination}|{refs[-1]}"
        elif row.kind == OutboxKind.FAMILY:
            blocked = row.error == "blocked"
            request.delivery = (
                FamilyDelivery.DELIVERED
                if status == OutboxStatus.SENT
                else (FamilyDelivery.BLOCKED if blocked else FamilyDelivery.FAILED)
            )
            request.delivery_at = now
            repo.audit(tx, request, "system", "delivered" if status == OutboxStatus.SENT else "undeliverable")
            repo.add_outbox_rows(tx, [self.desk.card_row(tx, request, now)])

    async def escalate(self) -> int:
        """Raise again, in office hours only, what waits too long: unclaimed requests, and claimed ones with
        neither an answer to the family nor a close since the claim (or the last reminder)."""
        now = self.desk.clock()
        if not is_office_open(self.desk.hours, now):
            return 0
        return await self.desk.db.run(lambda tx: self._escalate(tx, now))

    def _escalate(self, tx: Session, now: datetime) -> int:
        limit = self.desk.config.escalate_after_hours * 3600
        waiting = select(CallbackRequest).where(CallbackRequest.status.in_(RequestStatus.active()))
        unclaimed: list[CallbackRequest] = []
        unanswered: list[tuple[CallbackRequest, str]] = []
        for request in tx.execute(waiting).scalars():
            moments = [request.created_at, request.escalated_at, request.claimed_at, request.delivery_at]
            since = max(m for m in moments if m is not None)
            if office_hours_between(self.desk.hours, since, now).total_seconds() < limit:
                continue
            request.escalated_at = now
            repo.audit(tx, request, "system", "escalated")
            if request.status == RequestStatus.OPEN:
                unclaimed.append(request)
            else:
                unanswered.append((request, self.desk.owner_name(tx, request) or "–"))
        if unclaimed or unanswered:
            text = escalation_text(unclaimed, unanswered, self.desk.config.escalate_after_hours, now)
            notice = Reply(text).to_payload()
            repo.add_outbox_rows(tx, [OutboxRow(self.desk.config.staff_channel, notice)])
        return len(unclaimed) + len(unanswered)
