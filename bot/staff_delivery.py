"""Membership at every send, and details that do not linger.

Rows about a family for a staff member's private chat (bot.staff_rows.details_row) pass the outbox sender's gate
right before they go out: only to the person still responsible for the request, and only while the platform says
they are a current member of the staff channel. Someone who left gets nothing; the request returns to the queue.
Each such message that went out is remembered (DetailsCopy), so it can be taken back when the request leaves them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.adapters.base import Delivery
from bot.core import texts as T
from bot.core.events import Reply
from bot.relay import MAX_NOTE
from bot.staff_rows import RELAYED, STAFF, details_row, retract_row, retract_rows
from bot.staff_texts import BACK_IN_QUEUE, open_chat_hint
from storage import repo
from storage.kinds import OutboxKind, OutboxRow, OutboxStatus, Outcome, RequestStatus
from storage.models import CallbackRequest, DetailsCopy, OutboxMessage, StaffMember, User

if TYPE_CHECKING:
    from bot.desk import StaffDesk

log = logging.getLogger(__name__)
NOT_A_MEMBER = "not a member"
NOT_RESPONSIBLE = "not responsible"


class StaffDelivery:
    """The sender's gate (gate) and delivery hook (note_delivery) for what goes to staff about a family."""

    def __init__(self, desk: StaffDesk) -> None:
        self.desk = desk

    async def gate(self, row: OutboxMessage) -> Delivery | None:
        """None lets the row go out; otherwise the outcome in its place, with nothing sent."""
        payload = row.payload or {}
        staff, request_id = payload.get(STAFF), row.request_id
        if not staff or request_id is None:
            return None
        try:
            responsible = await self.desk.db.run(lambda tx: _responsible(tx, request_id, staff))
            if not responsible:  # the request moved on while this row waited: the family's words follow it
                await self.desk.db.run(lambda tx: self._keep_words(tx, request_id, payload))
                return Delivery(Outcome.FAILED, error=NOT_RESPONSIBLE)
            member = await self.desk.access.authorised(staff)  # asked of the platform now, not remembered
            if member is None:
                return Delivery(Outcome.RETRY, error="membership unknown")  # "could not check" is not "may receive"
            if member:
                return None
            await self.desk.db.run(lambda tx: self._requeue(tx, request_id, staff, payload))
        except Exception as exc:  # the database will answer again; until then nothing goes out unchecked
            log.error("checking a row about a family failed: %s", type(exc).__name__)
            return Delivery(Outcome.RETRY, error=type(exc).__name__)
        log.info("a row about a family was not sent: its recipient is no longer in the staff channel")
        return Delivery(Outcome.FAILED, error=NOT_A_MEMBER)

    def _requeue(self, tx: Session, request_id: int, staff: str, payload: dict[str, Any]) -> None:
        """The person responsible left the team: every request they hold goes back to the queue (not only the one
        this row was about), and nothing of any of them stays with them."""
        held = select(CallbackRequest).where(
            CallbackRequest.status == RequestStatus.CLAIMED, CallbackRequest.claimed_by == staff
        )
        for request in tx.execute(held.order_by(CallbackRequest.id)).scalars().all():
            request.status, request.claimed_by, request.claimed_at = RequestStatus.OPEN, None, None
            repo.audit(tx, request, "system", "owner-left")
            rows = retract_rows(tx, request)
            rows.append(self.desk.card_row(tx, request, self.desk.clock(), note=BACK_IN_QUEUE))
            repo.add_outbox_rows(tx, rows)
        self._keep_words(tx, request_id, payload)

    def _keep_words(self, tx: Session, request_id: int, payload: dict[str, Any], resend: bool = True) -> None:
        """A family's message that did not reach its person is not lost: it goes to whoever is responsible now
        (unless resend is False: it could not be delivered to them), or lies with the request for whoever reads it
        next; the family is told which (truthfully)."""
        relayed, request = payload.get(RELAYED), tx.get(CallbackRequest, request_id)
        if not relayed or request is None:
            return  # details are sent again on every claim; only a family's own words need keeping
        owner = tx.get(StaffMember, request.claimed_by) if request.claimed_by else None
        if resend and request.status == RequestStatus.CLAIMED and owner is not None and owner.private_chat:
            row = details_row(owner.private_chat, str(payload.get("text", relayed)), owner.key, request.id, relayed)
            repo.add_outbox_rows(tx, [row])  # the family's answer ("arrived") stays true
            return
        if request.status in RequestStatus.active():
            request.note = (f"{request.note}\n{relayed}" if request.note else relayed)[-MAX_NOTE:]
            repo.audit(tx, request, "family", "family-added")
            self._tell_family(tx, request, T.ADDED_TO_REQUEST)
        else:
            self._tell_family(tx, request, T.RELAY_CLOSED)

    def _tell_family(self, tx: Session, request: CallbackRequest, msgid: str) -> None:
        user = tx.get(User, request.user_id) if request.user_id else None
        if user is None:
            return
        i18n, lang = self.desk.i18n, request.language
        reply = Reply(i18n.t(lang, msgid, reference=request.reference), rtl=i18n.is_rtl(lang)).to_payload()
        repo.add_outbox_rows(tx, [OutboxRow(user.chat or user.key, reply, user_id=user.id)])

    def note_delivery(self, tx: Session, row: OutboxMessage, status: str, refs: tuple[str, ...], now: datetime) -> None:
        """A delivered details message is remembered for taking it back (every part of a long one); a family's
        words that did not get through are kept with the request; a refusal asks for the private chat."""
        if row.kind != OutboxKind.DETAILS or row.request_id is None:
            return
        request = tx.get(CallbackRequest, row.request_id)
        if request is None:
            return
        if refs and _owner_chat(tx, request) == row.destination and status == OutboxStatus.SENT:
            for ref in refs:
                tx.add(DetailsCopy(request_id=request.id, chat=row.destination, message_ref=ref, sent_at=now))
        else:  # the request left this person while it was on its way, or parts went out before a failure
            repo.add_outbox_rows(tx, [retract_row(request, row.destination, ref) for ref in refs])
        if status == OutboxStatus.FAILED and row.error not in (NOT_A_MEMBER, NOT_RESPONSIBLE):
            # Not delivered (blocked, refused, or given up after a day): the family's words lie with the request
            # for whoever reads it next, and the family is told so. (The gate's refusals kept them already.)
            self._keep_words(tx, request.id, row.payload or {}, resend=False)
        if status == OutboxStatus.FAILED and row.error == "blocked":
            # The staff member blocked the bot: the group learns (without details) that the private chat is needed.
            stmt = select(StaffMember).where(StaffMember.private_chat == row.destination)
            for member in tx.execute(stmt).scalars().all():
                member.private_chat = None
                hint = open_chat_hint(member.display_name, request.reference, self.desk.private_link("team"))
                repo.add_outbox_rows(tx, [OutboxRow(self.desk.config.staff_channel, Reply(hint).to_payload())])


def _responsible(tx: Session, request_id: int, staff: str) -> bool:
    request = tx.get(CallbackRequest, request_id)
    return request is not None and request.status == RequestStatus.CLAIMED and request.claimed_by == staff


def _owner_chat(tx: Session, request: CallbackRequest) -> str | None:
    """The private chat of the person responsible for a claimed request, if they opened one."""
    if request.status != RequestStatus.CLAIMED or request.claimed_by is None:
        return None
    owner = tx.get(StaffMember, request.claimed_by)
    return owner.private_chat if owner is not None else None
